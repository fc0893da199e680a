package logs

import (
	"regexp"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// logGroupNameRE is the model's pattern for logGroupName.
var logGroupNameRE = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)

// retentionDays are the only values PutRetentionPolicy accepts.
var retentionDays = map[int32]bool{
	1: true, 3: true, 5: true, 7: true, 14: true, 30: true, 60: true, 90: true, 120: true, 150: true,
	180: true, 365: true, 400: true, 545: true, 731: true, 1096: true, 1827: true, 2192: true,
	2557: true, 2922: true, 3288: true, 3653: true,
}

var logGroupClasses = map[string]bool{"STANDARD": true, "INFREQUENT_ACCESS": true, "DELIVERY": true}

func validLogGroupName(name, member string) error {
	if err := checkLength(name, member, 1, 512); err != nil {
		return err
	}
	if !logGroupNameRE.MatchString(name) {
		return core.Constraint(name, member, `satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	}
	return nil
}

type createLogGroupInput struct {
	Name     string            `json:"logGroupName"`
	KmsKeyID string            `json:"kmsKeyId"`
	Tags     map[string]string `json:"tags"`
	Class    string            `json:"logGroupClass"`
}

func (s *logsService) createLogGroup(c *core.Call) (any, error) {
	var in createLogGroupInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Name, "logGroupName"); err != nil {
		return nil, err
	}
	// "Log group names can't start with the string aws/" (CreateLogGroup's documentation): the
	// prefix is reserved for groups that AWS services create.
	if strings.HasPrefix(in.Name, "aws/") {
		return nil, wire.Errorf("InvalidParameterException", "Log group names can't start with the string aws/.")
	}
	if in.KmsKeyID != "" {
		if err := checkLength(in.KmsKeyID, "kmsKeyId", 0, 256); err != nil {
			return nil, err
		}
		// CloudWatch Logs takes only a key ARN, not a key id or alias.
		if !strings.HasPrefix(in.KmsKeyID, "arn:aws:kms:") {
			return nil, wire.Errorf("InvalidParameterException", "Specified KMS key ARN is invalid: "+in.KmsKeyID)
		}
	}
	if in.Class == "" {
		in.Class = "STANDARD"
	}
	if !logGroupClasses[in.Class] {
		return nil, core.Constraint(in.Class, "logGroupClass", "satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]")
	}
	if in.Tags != nil {
		if err := validLogsTags(in.Tags, "tags"); err != nil {
			return nil, err
		}
	}
	r := s.region(c.Region)
	if r.groups[in.Name] != nil {
		return nil, wire.Errorf("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	g := &logGroup{
		name: in.Name, region: c.Region, created: c.Now, kmsKeyID: in.KmsKeyID, class: in.Class,
		filters: map[string]*metricFilter{}, streams: map[string]*logStream{}, minutes: map[int64]map[string]bool{},
	}
	r.groups[in.Name] = g
	r.sorted = nil
	// Tags live under the ARN without ":*". Only a tagged group gets an entry: the Resource
	// Groups Tagging API lists resources that are or were tagged, never others.
	if len(in.Tags) > 0 {
		s.w.Tags.Set(g.arn(s.w.Account), in.Tags)
	}
	return struct{}{}, nil
}

func (s *logsService) deleteLogGroup(c *core.Call) (any, error) {
	g, err := s.namedGroup(c)
	if err != nil {
		return nil, err
	}
	// The group takes its streams, events and metric filters with it; AWS also drops its tags.
	r := s.region(c.Region)
	delete(r.groups, g.name)
	r.sorted = nil
	s.w.Tags.Drop(g.arn(s.w.Account))
	return struct{}{}, nil
}

type describeLogGroupsInput struct {
	Prefix      *string  `json:"logGroupNamePrefix"`
	Pattern     *string  `json:"logGroupNamePattern"`
	Identifiers []string `json:"logGroupIdentifiers"`
	Class       string   `json:"logGroupClass"`
	NextToken   *string  `json:"nextToken"`
	Limit       *int32   `json:"limit"`
}

// logGroupOut is types.LogGroup on the wire.
type logGroupOut struct {
	Name              string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   int32  `json:"retentionInDays,omitempty"`
	MetricFilterCount *int32 `json:"metricFilterCount,omitempty"`
	Arn               string `json:"arn"`
	StoredBytes       *int64 `json:"storedBytes,omitempty"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
	Class             string `json:"logGroupClass,omitempty"`
	LogGroupArn       string `json:"logGroupArn,omitempty"`
}

func (s *logsService) describeLogGroups(c *core.Call) (any, error) {
	var in describeLogGroupsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, "limit", 50, 50)
	if err != nil {
		return nil, err
	}
	if in.Prefix != nil && in.Pattern != nil {
		return nil, wire.Errorf("InvalidParameterException", "logGroupNamePattern and logGroupNamePrefix are mutually exclusive. Only one of these parameters can be passed.")
	}
	if in.Identifiers != nil && (in.Prefix != nil || in.Pattern != nil) {
		return nil, wire.Errorf("InvalidParameterException", "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern.")
	}
	if in.Prefix != nil {
		if err := validLogGroupName(*in.Prefix, "logGroupNamePrefix"); err != nil {
			return nil, err
		}
	}
	if in.Pattern != nil {
		if err := checkLength(*in.Pattern, "logGroupNamePattern", 0, 512); err != nil {
			return nil, err
		}
		if *in.Pattern != "" && !logGroupNameRE.MatchString(*in.Pattern) {
			return nil, core.Constraint(*in.Pattern, "logGroupNamePattern", `satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]*`)
		}
	}
	if in.Class != "" && !logGroupClasses[in.Class] {
		return nil, core.Constraint(in.Class, "logGroupClass", "satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]")
	}
	if len(in.Identifiers) > 50 {
		return nil, core.Constraint(len(in.Identifiers), "logGroupIdentifiers", "have length less than or equal to 50")
	}
	wanted := map[string]bool{}
	for _, id := range in.Identifiers {
		if _, name, ok := core.ParseLogGroupARN(id); ok {
			wanted[name] = true
		} else {
			wanted[id] = true
		}
	}
	r := s.region(c.Region)
	names := r.names()
	start := 0
	if in.NextToken != nil {
		after, ok := core.ReadPageToken("logs:DescribeLogGroups", *in.NextToken)
		if !ok {
			return nil, invalidLogsToken()
		}
		start = pageAfter(names, after)
	}
	var out struct {
		LogGroups []logGroupOut `json:"logGroups"`
		NextToken string        `json:"nextToken,omitempty"`
	}
	out.LogGroups = []logGroupOut{}
	for _, name := range names[start:] {
		g := r.groups[name]
		switch {
		case in.Identifiers != nil && !wanted[name],
			in.Prefix != nil && !strings.HasPrefix(name, *in.Prefix),
			in.Pattern != nil && !strings.Contains(name, *in.Pattern),
			in.Class != "" && in.Class != g.class:
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = core.PageToken("logs:DescribeLogGroups", out.LogGroups[limit-1].Name)
			break
		}
		out.LogGroups = append(out.LogGroups, s.groupOut(g, in.Pattern != nil))
	}
	return out, nil
}

func (s *logsService) groupOut(g *logGroup, brief bool) logGroupOut {
	o := logGroupOut{Name: g.name, CreationTime: g.created.UnixMilli(), Arn: g.arn(s.w.Account) + ":*"}
	// With logGroupNamePattern AWS returns only arn, creationTime and logGroupName.
	if brief {
		return o
	}
	n := int32(len(g.filters))
	var stored int64
	for _, st := range g.streams {
		stored += st.bytes
	}
	o.MetricFilterCount, o.StoredBytes = &n, &stored
	o.RetentionInDays, o.KmsKeyID, o.Class, o.LogGroupArn = g.retained, g.kmsKeyID, g.class, g.arn(s.w.Account)
	return o
}

func (s *logsService) putRetentionPolicy(c *core.Call) (any, error) {
	var in struct {
		Name string `json:"logGroupName"`
		Days *int32 `json:"retentionInDays"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Name, "logGroupName"); err != nil {
		return nil, err
	}
	if in.Days == nil {
		return nil, wire.Errorf("InvalidParameterException", "1 validation error detected: Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null")
	}
	if !retentionDays[*in.Days] {
		return nil, core.Constraint(*in.Days, "retentionInDays",
			"satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	}
	g, err := s.group(c, in.Name)
	if err != nil {
		return nil, err
	}
	g.retained = *in.Days
	return struct{}{}, nil
}

func (s *logsService) deleteRetentionPolicy(c *core.Call) (any, error) {
	g, err := s.namedGroup(c)
	if err != nil {
		return nil, err
	}
	g.retained = 0
	return struct{}{}, nil
}
