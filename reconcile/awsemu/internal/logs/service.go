package logs

import (
	"fmt"
	"sort"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// logsService holds CloudWatch Logs' state, per region.
type logsService struct {
	w       *core.World
	regions map[string]*logsRegion
	// seq orders events ingested in the same millisecond and makes event ids unique.
	seq uint64
	// open holds the groups with minutes not yet closed by the tick; closedBefore is the first
	// minute (epoch ms) still open (see metrics.go).
	open         map[*logGroup]bool
	closedBefore int64
}

type logsRegion struct {
	name   string
	groups map[string]*logGroup
	// sorted caches the ASCII-sorted group names; nil after a create or delete.
	sorted []string
}

type logGroup struct {
	name     string
	region   string
	created  time.Time
	retained int32 // retentionInDays; 0 = never expire
	kmsKeyID string
	class    string
	filters  map[string]*metricFilter
	streams  map[string]*logStream
	// minutes tracks, per minute of event time not yet closed, which filters matched an event
	// ingested into the group: the basis of defaultValue (see metrics.go).
	minutes map[int64]map[string]bool
}

// Register adds CloudWatch Logs to w: its handlers, the end of the bus's PutLogEvents, and its metric-filter and retention tick.
func Register(w *core.World) {
	s := &logsService{w: w, regions: map[string]*logsRegion{}, open: map[*logGroup]bool{}}
	w.Register("logs", map[string]core.OpFunc{
		"CreateLogGroup":        s.createLogGroup,
		"DeleteLogGroup":        s.deleteLogGroup,
		"DescribeLogGroups":     s.describeLogGroups,
		"PutRetentionPolicy":    s.putRetentionPolicy,
		"DeleteRetentionPolicy": s.deleteRetentionPolicy,
		"TagResource":           s.tagResource,
		"UntagResource":         s.untagResource,
		"ListTagsForResource":   s.listTagsForResource,
		"TagLogGroup":           s.tagLogGroup,
		"UntagLogGroup":         s.untagLogGroup,
		"ListTagsLogGroup":      s.listTagsLogGroup,
		"PutMetricFilter":       s.putMetricFilter,
		"DescribeMetricFilters": s.describeMetricFilters,
		"DeleteMetricFilter":    s.deleteMetricFilter,
		"TestMetricFilter":      s.testMetricFilter,
		"CreateLogStream":       s.createLogStream,
		"DescribeLogStreams":    s.describeLogStreams,
		"PutLogEvents":          s.putLogEvents,
		"GetLogEvents":          s.getLogEvents,
		"FilterLogEvents":       s.filterLogEvents,
	})
	w.Bus.PutLogEvents = s.deliver
	w.OnTick(s.tick)
}

func (s *logsService) region(name string) *logsRegion {
	r := s.regions[name]
	if r == nil {
		r = &logsRegion{name: name, groups: map[string]*logGroup{}}
		s.regions[name] = r
	}
	return r
}

// names returns the region's log group names in ASCII order, as every Logs listing is sorted.
func (r *logsRegion) names() []string {
	if r.sorted == nil {
		r.sorted = make([]string, 0, len(r.groups))
		for n := range r.groups {
			r.sorted = append(r.sorted, n)
		}
		sort.Strings(r.sorted)
	}
	return r.sorted
}

// arn is the log group's ARN as the tagging APIs take it (no trailing ":*").
func (g *logGroup) arn(acct string) string {
	return "arn:aws:logs:" + g.region + ":" + acct + ":log-group:" + g.name
}

// group finds a log group of the request's region by name, or answers AWS's not-found error.
func (s *logsService) group(c *core.Call, name string) (*logGroup, error) {
	if g := s.region(c.Region).groups[name]; g != nil {
		return g, nil
	}
	return nil, wire.Errorf("ResourceNotFoundException", "The specified log group does not exist.")
}

// namedGroup decodes a request whose only member is logGroupName and finds that group.
func (s *logsService) namedGroup(c *core.Call) (*logGroup, error) {
	var in struct {
		Name string `json:"logGroupName"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Name, "logGroupName"); err != nil {
		return nil, err
	}
	return s.group(c, in.Name)
}

// groupByIdentifier resolves logGroupIdentifier (a name or an ARN, with or without ":*"), falling
// back to logGroupName; exactly one of the two must be given, as AWS requires.
func (s *logsService) groupByIdentifier(c *core.Call, name, ident string) (*logGroup, error) {
	switch {
	case name != "" && ident != "":
		return nil, wire.Errorf("InvalidParameterException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case ident != "":
		region, gname, ok := core.ParseLogGroupARN(ident)
		if !ok {
			return s.group(c, ident)
		}
		if g := s.region(region).groups[gname]; g != nil {
			return g, nil
		}
		return nil, wire.Errorf("ResourceNotFoundException", "The specified log group does not exist.")
	case name != "":
		return s.group(c, name)
	}
	return nil, wire.Errorf("InvalidParameterException", "Either logGroupName or logGroupIdentifier must be specified.")
}

// checkLength enforces a model length range on a string member.
func checkLength(v, member string, minLen, maxLen int) error {
	n := len([]rune(v))
	switch {
	case n < minLen:
		return core.Constraint(v, member, fmt.Sprintf("have length greater than or equal to %d", minLen))
	case n > maxLen:
		return core.Constraint(v, member, fmt.Sprintf("have length less than or equal to %d", maxLen))
	}
	return nil
}

// pageLimit validates an optional limit member against [1, max] and applies the default.
func pageLimit(limit *int32, member string, max int32, def int32) (int, error) {
	if limit == nil {
		return int(def), nil
	}
	switch {
	case *limit < 1:
		return 0, core.Constraint(*limit, member, "have value greater than or equal to 1")
	case *limit > max:
		return 0, core.Constraint(*limit, member, fmt.Sprintf("have value less than or equal to %d", max))
	}
	return int(*limit), nil
}

// Endpoint is how CloudWatch Logs is addressed on the wire.
var Endpoint = wire.Endpoint{Service: "logs", JSONTarget: "Logs_20140328"}
