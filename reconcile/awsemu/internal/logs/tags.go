package logs

import (
	"regexp"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Log group tags live in w.Tags under the group's ARN without ":*" (LogGroup.logGroupArn), which
// is the form TagResource and ListTagsForResource take.

var (
	logsTagKeyRE   = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
	logsTagValueRE = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	logsARNRE      = regexp.MustCompile(`^[\w+=/:,.@-]*$`)
)

// maxLogsTags is the most tags a log group can carry.
const maxLogsTags = 50

func validLogsTags(tags map[string]string, member string) error {
	if len(tags) < 1 {
		return core.Constraint("{}", member, "have length greater than or equal to 1")
	}
	if len(tags) > maxLogsTags {
		return core.Constraint(len(tags), member, "have length less than or equal to 50")
	}
	for k, v := range tags {
		if err := validLogsTagKey(k, member); err != nil {
			return err
		}
		if err := checkLength(v, member+"."+k, 0, 256); err != nil {
			return err
		}
		if !logsTagValueRE.MatchString(v) {
			return core.Constraint(v, member+"."+k, `satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
		}
	}
	return nil
}

func validLogsTagKey(k, member string) error {
	if err := checkLength(k, member, 1, 128); err != nil {
		return err
	}
	if !logsTagKeyRE.MatchString(k) {
		return core.Constraint(k, member, `satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
	}
	// The aws: prefix is reserved for tags that AWS itself sets.
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return wire.Errorf("InvalidParameterException", "Tag keys beginning with 'aws:' are reserved: "+k)
	}
	return nil
}

// groupByARN resolves a tagging resourceArn: a log group ARN without ":*", in any region.
func (s *logsService) groupByARN(arn string) (*logGroup, error) {
	if err := checkLength(arn, "resourceArn", 1, 1011); err != nil {
		return nil, err
	}
	if !logsARNRE.MatchString(arn) {
		return nil, core.Constraint(arn, "resourceArn", `satisfy regular expression pattern: [\w+=/:,.@-]*`)
	}
	region, name, ok := core.ParseLogGroupARN(arn)
	if !ok || strings.HasSuffix(arn, ":*") {
		return nil, wire.Errorf("InvalidParameterException", "Invalid resource ARN: "+arn)
	}
	parts := strings.SplitN(arn, ":", 6)
	if parts[4] != s.w.Account {
		return nil, wire.Errorf("ResourceNotFoundException", "The specified resource does not exist.")
	}
	g := s.region(region).groups[name]
	if g == nil {
		return nil, wire.Errorf("ResourceNotFoundException", "The specified resource does not exist.")
	}
	return g, nil
}

// addTags upserts tags on a group, refusing to go past 50 tags in all.
func (s *logsService) addTags(g *logGroup, tags map[string]string) error {
	arn := g.arn(s.w.Account)
	merged := s.w.Tags.Get(arn)
	if merged == nil {
		merged = map[string]string{}
	}
	for k, v := range tags {
		merged[k] = v
	}
	if len(merged) > maxLogsTags {
		return wire.Errorf("TooManyTagsException", "A resource can have no more than 50 tags.")
	}
	s.w.Tags.Set(arn, tags)
	return nil
}

func (s *logsService) tagResource(c *core.Call) (any, error) {
	var in struct {
		ARN  string            `json:"resourceArn"`
		Tags map[string]string `json:"tags"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogsTags(in.Tags, "tags"); err != nil {
		return nil, err
	}
	g, err := s.groupByARN(in.ARN)
	if err != nil {
		return nil, err
	}
	return struct{}{}, s.addTags(g, in.Tags)
}

func (s *logsService) untagResource(c *core.Call) (any, error) {
	var in struct {
		ARN  string   `json:"resourceArn"`
		Keys []string `json:"tagKeys"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Keys) < 1 || len(in.Keys) > maxLogsTags {
		return nil, core.Constraint(len(in.Keys), "tagKeys", "have length between 1 and 50")
	}
	for _, k := range in.Keys {
		if err := checkLength(k, "tagKeys", 1, 128); err != nil {
			return nil, err
		}
	}
	g, err := s.groupByARN(in.ARN)
	if err != nil {
		return nil, err
	}
	s.w.Tags.Remove(g.arn(s.w.Account), in.Keys)
	return struct{}{}, nil
}

type logsTagsOut struct {
	Tags map[string]string `json:"tags"`
}

func (s *logsService) listTagsForResource(c *core.Call) (any, error) {
	var in struct {
		ARN string `json:"resourceArn"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	g, err := s.groupByARN(in.ARN)
	if err != nil {
		return nil, err
	}
	return s.tagsOut(g), nil
}

func (s *logsService) tagsOut(g *logGroup) logsTagsOut {
	t := s.w.Tags.Get(g.arn(s.w.Account))
	if t == nil {
		t = map[string]string{}
	}
	return logsTagsOut{Tags: t}
}

// TagLogGroup, UntagLogGroup and ListTagsLogGroup are the deprecated name-based variants; they
// share the tag store with the ARN-based ones.

func (s *logsService) tagLogGroup(c *core.Call) (any, error) {
	var in struct {
		Name string            `json:"logGroupName"`
		Tags map[string]string `json:"tags"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Name, "logGroupName"); err != nil {
		return nil, err
	}
	if err := validLogsTags(in.Tags, "tags"); err != nil {
		return nil, err
	}
	g, err := s.group(c, in.Name)
	if err != nil {
		return nil, err
	}
	return struct{}{}, s.addTags(g, in.Tags)
}

func (s *logsService) untagLogGroup(c *core.Call) (any, error) {
	var in struct {
		Name string   `json:"logGroupName"`
		Keys []string `json:"tags"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Name, "logGroupName"); err != nil {
		return nil, err
	}
	if len(in.Keys) < 1 || len(in.Keys) > maxLogsTags {
		return nil, core.Constraint(len(in.Keys), "tags", "have length between 1 and 50")
	}
	g, err := s.group(c, in.Name)
	if err != nil {
		return nil, err
	}
	s.w.Tags.Remove(g.arn(s.w.Account), in.Keys)
	return struct{}{}, nil
}

func (s *logsService) listTagsLogGroup(c *core.Call) (any, error) {
	g, err := s.namedGroup(c)
	if err != nil {
		return nil, err
	}
	return s.tagsOut(g), nil
}
