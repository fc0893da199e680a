package logs

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
	"github.com/kmswatch/kmswatch/spec/pattern"
)

// MaxMetricFilters is CloudWatch Logs' quota of metric filters per log group.
const MaxMetricFilters = 100

var (
	filterNameRE = regexp.MustCompile(`^[^:*]*$`)
	metricNameRE = regexp.MustCompile(`^[^:*$]*$`)
	// metricValueRE: a number, a JSON selector ($.a.b[0]) or a space-delimited field ($name, $1).
	metricValueRE = regexp.MustCompile(`^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|\$\.[A-Za-z0-9_\-.\[\]]+|\$[A-Za-z0-9_]+)$`)
	logsUnits     = map[string]bool{
		"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
		"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
		"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
		"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
		"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
		"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
	}
)

// metricTransformation is types.MetricTransformation on the wire.
type metricTransformation struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

type metricFilter struct {
	name          string
	group         string
	text          string
	pat           *pattern.Pattern
	created       time.Time
	t             metricTransformation
	onTransformed bool
	criteria      string
	systemDims    []string
}

type putMetricFilterInput struct {
	Group           string                 `json:"logGroupName"`
	Name            string                 `json:"filterName"`
	Pattern         string                 `json:"filterPattern"`
	Transformations []metricTransformation `json:"metricTransformations"`
	OnTransformed   bool                   `json:"applyOnTransformedLogs"`
	Criteria        string                 `json:"fieldSelectionCriteria"`
	SystemDims      []string               `json:"emitSystemFieldDimensions"`
}

// parseFilterPattern is the one place a filterPattern is judged, with AWS's error.
func parseFilterPattern(text string) (*pattern.Pattern, error) {
	if err := checkLength(text, "filterPattern", 0, 1024); err != nil {
		return nil, err
	}
	p, err := pattern.Parse(text)
	if err != nil {
		return nil, wire.Errorf("InvalidParameterException", "Invalid metric filter pattern: "+err.Error())
	}
	return p, nil
}

func validTransformation(t metricTransformation, kind pattern.Kind) error {
	const m = "metricTransformations.1.member."
	if err := checkLength(t.MetricName, m+"metricName", 1, 255); err != nil {
		return err
	}
	if !metricNameRE.MatchString(t.MetricName) {
		return core.Constraint(t.MetricName, m+"metricName", `satisfy regular expression pattern: [^:*$]*`)
	}
	if err := checkLength(t.MetricNamespace, m+"metricNamespace", 1, 255); err != nil {
		return err
	}
	if !metricNameRE.MatchString(t.MetricNamespace) {
		return core.Constraint(t.MetricNamespace, m+"metricNamespace", `satisfy regular expression pattern: [^:*$]*`)
	}
	if err := checkLength(t.MetricValue, m+"metricValue", 1, 100); err != nil {
		return err
	}
	if !metricValueRE.MatchString(t.MetricValue) {
		return wire.Errorf("InvalidParameterException", "Invalid metric value: "+t.MetricValue)
	}
	if t.Unit != "" && !logsUnits[t.Unit] {
		return core.Constraint(t.Unit, m+"unit", "satisfy enum value set: [Seconds, Microseconds, Milliseconds, Bytes, ... Count/Second, None]")
	}
	if len(t.Dimensions) > 3 {
		return core.Constraint(len(t.Dimensions), m+"dimensions", "have length less than or equal to 3")
	}
	if len(t.Dimensions) > 0 {
		// Both rules, and their wording, are CloudWatch Logs' own answers to PutMetricFilter.
		if t.DefaultValue != nil {
			return wire.Errorf("InvalidParameterException", "Invalid metric transformation: dimensions and default value are mutually exclusive properties.")
		}
		if kind != pattern.KindJSON && kind != pattern.KindSpaceDelimited {
			return wire.Errorf("InvalidParameterException", "The specified filter pattern does not support dimensions.")
		}
		for k, v := range t.Dimensions {
			if err := checkLength(k, m+"dimensions.key", 1, 255); err != nil {
				return err
			}
			if err := checkLength(v, m+"dimensions.value", 1, 255); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *logsService) putMetricFilter(c *core.Call) (any, error) {
	var in putMetricFilterInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Group, "logGroupName"); err != nil {
		return nil, err
	}
	if err := checkLength(in.Name, "filterName", 1, 512); err != nil {
		return nil, err
	}
	if !filterNameRE.MatchString(in.Name) {
		return nil, core.Constraint(in.Name, "filterName", "satisfy regular expression pattern: [^:*]*")
	}
	switch {
	case len(in.Transformations) < 1:
		return nil, core.Constraint("[]", "metricTransformations", "have length greater than or equal to 1")
	case len(in.Transformations) > 1:
		return nil, core.Constraint(len(in.Transformations), "metricTransformations", "have length less than or equal to 1")
	}
	pat, err := parseFilterPattern(in.Pattern)
	if err != nil {
		return nil, err
	}
	if err := validTransformation(in.Transformations[0], pat.Kind()); err != nil {
		return nil, err
	}
	for _, d := range in.SystemDims {
		if d != "@aws.account" && d != "@aws.region" {
			return nil, wire.Errorf("InvalidParameterException", "Invalid emitSystemFieldDimensions value: "+d+" (valid: @aws.account, @aws.region)")
		}
	}
	g, err := s.group(c, in.Group)
	if err != nil {
		return nil, err
	}
	// Create or overwrite by (logGroupName, filterName); only a new name counts against the quota.
	old := g.filters[in.Name]
	if old == nil && len(g.filters) >= MaxMetricFilters {
		return nil, wire.Errorf("LimitExceededException", "Resource limit exceeded.")
	}
	f := &metricFilter{
		name: in.Name, group: g.name, text: in.Pattern, pat: pat, created: c.Now, t: in.Transformations[0],
		onTransformed: in.OnTransformed, criteria: in.Criteria, systemDims: in.SystemDims,
	}
	if old != nil {
		f.created = old.created
	}
	g.filters[in.Name] = f
	return struct{}{}, nil
}

type metricFilterOut struct {
	FilterName      string                 `json:"filterName"`
	FilterPattern   string                 `json:"filterPattern"`
	Transformations []metricTransformation `json:"metricTransformations"`
	CreationTime    int64                  `json:"creationTime"`
	LogGroupName    string                 `json:"logGroupName"`
	OnTransformed   bool                   `json:"applyOnTransformedLogs"`
	Criteria        string                 `json:"fieldSelectionCriteria,omitempty"`
	SystemDims      []string               `json:"emitSystemFieldDimensions,omitempty"`
}

// describeMetricFiltersInput is DescribeMetricFilters' request.
type describeMetricFiltersInput struct {
	Group     *string `json:"logGroupName"`
	Prefix    *string `json:"filterNamePrefix"`
	NextToken *string `json:"nextToken"`
	Limit     *int32  `json:"limit"`
	Metric    *string `json:"metricName"`
	Namespace *string `json:"metricNamespace"`
}

// keyedFilter is a metric filter with its listing key: AWS sorts by filter name; the group name
// breaks ties across groups. The page key is both.
type keyedFilter struct {
	key string
	f   *metricFilter
}

func (s *logsService) describeMetricFilters(c *core.Call) (any, error) {
	var in describeMetricFiltersInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, "limit", 50, 50)
	if err != nil {
		return nil, err
	}
	if (in.Metric == nil) != (in.Namespace == nil) {
		return nil, wire.Errorf("InvalidParameterException", "metricName and metricNamespace must be specified together.")
	}
	if in.Prefix != nil {
		if err := checkLength(*in.Prefix, "filterNamePrefix", 1, 512); err != nil {
			return nil, err
		}
	}
	all, err := s.selectFilters(c, &in)
	if err != nil {
		return nil, err
	}
	start := 0
	if in.NextToken != nil {
		after, ok := core.ReadPageToken("logs:DescribeMetricFilters", *in.NextToken)
		if !ok {
			return nil, invalidLogsToken()
		}
		start = sort.Search(len(all), func(i int) bool { return all[i].key > after })
	}
	var out struct {
		Filters   []metricFilterOut `json:"metricFilters"`
		NextToken string            `json:"nextToken,omitempty"`
	}
	out.Filters = []metricFilterOut{}
	for i := start; i < len(all); i++ {
		if len(out.Filters) == limit {
			out.NextToken = core.PageToken("logs:DescribeMetricFilters", all[i-1].key)
			break
		}
		f := all[i].f
		out.Filters = append(out.Filters, metricFilterOut{
			FilterName: f.name, FilterPattern: f.text, Transformations: []metricTransformation{f.t},
			CreationTime: f.created.UnixMilli(), LogGroupName: f.group, OnTransformed: f.onTransformed,
			Criteria: f.criteria, SystemDims: f.systemDims,
		})
	}
	return out, nil
}

// selectFilters returns the filters DescribeMetricFilters lists, sorted by their key: those of
// the named group (an error if it does not exist) or of every group in the region.
func (s *logsService) selectFilters(c *core.Call, in *describeMetricFiltersInput) ([]keyedFilter, error) {
	var groups []*logGroup
	r := s.region(c.Region)
	if in.Group != nil {
		if err := validLogGroupName(*in.Group, "logGroupName"); err != nil {
			return nil, err
		}
		g, err := s.group(c, *in.Group)
		if err != nil {
			return nil, err
		}
		groups = []*logGroup{g}
	} else {
		for _, n := range r.names() {
			groups = append(groups, r.groups[n])
		}
	}
	var all []keyedFilter
	for _, g := range groups {
		for _, f := range g.filters {
			// filterNamePrefix is honoured only together with logGroupName (its documentation).
			if in.Group != nil && in.Prefix != nil && !strings.HasPrefix(f.name, *in.Prefix) {
				continue
			}
			if in.Metric != nil && (f.t.MetricName != *in.Metric || f.t.MetricNamespace != *in.Namespace) {
				continue
			}
			all = append(all, keyedFilter{f.name + "\x00" + f.group, f})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	return all, nil
}

func (s *logsService) deleteMetricFilter(c *core.Call) (any, error) {
	var in struct {
		Group string `json:"logGroupName"`
		Name  string `json:"filterName"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validLogGroupName(in.Group, "logGroupName"); err != nil {
		return nil, err
	}
	if err := checkLength(in.Name, "filterName", 1, 512); err != nil {
		return nil, err
	}
	g, err := s.group(c, in.Group)
	if err != nil {
		return nil, err
	}
	if g.filters[in.Name] == nil {
		return nil, wire.Errorf("ResourceNotFoundException", "The specified metric filter does not exist.")
	}
	delete(g.filters, in.Name)
	return struct{}{}, nil
}

type filterMatchOut struct {
	EventNumber     int64             `json:"eventNumber"`
	EventMessage    string            `json:"eventMessage"`
	ExtractedValues map[string]string `json:"extractedValues"`
}

func (s *logsService) testMetricFilter(c *core.Call) (any, error) {
	var in struct {
		Pattern  string   `json:"filterPattern"`
		Messages []string `json:"logEventMessages"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Messages) < 1 || len(in.Messages) > 50 {
		return nil, core.Constraint(len(in.Messages), "logEventMessages", "have length between 1 and 50")
	}
	for i, m := range in.Messages {
		if m == "" {
			return nil, core.Constraint("", "logEventMessages."+strconv.Itoa(i+1)+".member", "have length greater than or equal to 1")
		}
	}
	pat, err := parseFilterPattern(in.Pattern)
	if err != nil {
		return nil, err
	}
	var out struct {
		Matches []filterMatchOut `json:"matches"`
	}
	out.Matches = []filterMatchOut{}
	for i, m := range in.Messages {
		ok, fields := pat.Extract(pattern.NewEvent(m))
		if !ok {
			continue
		}
		// eventNumber is the message's 1-based position in logEventMessages, and extractedValues
		// is {} unless the pattern is space-delimited: the AWS CLI reference's test-metric-filter
		// example answers "eventNumber": 1 and "extractedValues": {} for the pattern ERROR.
		if fields == nil {
			fields = map[string]string{}
		}
		out.Matches = append(out.Matches, filterMatchOut{EventNumber: int64(i + 1), EventMessage: m, ExtractedValues: fields})
	}
	return out, nil
}
