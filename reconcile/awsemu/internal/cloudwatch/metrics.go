package cloudwatch

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// cwSeries is one metric (namespace, name, dimension set) and its datapoints in time order.
type cwSeries struct {
	Namespace, MetricName string
	Dims                  []cwDimension // sorted by name
	points                []cwPoint
	lastPut               time.Time
}

// cwPoint is one stored datapoint: a single value, a value/count list, or a statistic set.
// Values and counts are kept for percentiles; a statistic set has none.
type cwPoint struct {
	t                    time.Time
	unit                 string
	sum, count, min, max float64
	values, counts       []float64
}

// seriesKey identifies a metric by namespace, name and its dimensions in name order.
func seriesKey(ns, name string, dims []cwDimension) string {
	var b strings.Builder
	b.WriteString(ns + "\x00" + name)
	for _, d := range dims {
		b.WriteString("\x00" + d.Name + "=" + d.Value)
	}
	return b.String()
}

func sortedDims(dims []cwDimension) []cwDimension {
	out := append([]cwDimension(nil), dims...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// record stores a metric filter's datapoint. Metric-filter metrics are regular resolution, so
// the timestamp is truncated to the minute, as CloudWatch stores them.
func (r *cwRegion) record(d core.Datum, highRes bool) {
	dims := make([]cwDimension, 0, len(d.Dimensions))
	for k, v := range d.Dimensions {
		dims = append(dims, cwDimension{Name: k, Value: v})
	}
	r.store(d.Namespace, d.MetricName, dims, d.Time, highRes,
		cwPoint{unit: d.Unit, sum: d.Value, count: 1, min: d.Value, max: d.Value, values: []float64{d.Value}, counts: []float64{1}})
}

// store adds a point to its series, keeping the series in time order.
func (r *cwRegion) store(ns, name string, dims []cwDimension, t time.Time, highRes bool, p cwPoint) {
	if p.unit == "" {
		p.unit = "None"
	}
	if highRes {
		p.t = t.UTC().Truncate(time.Second)
	} else {
		p.t = t.UTC().Truncate(time.Minute)
	}
	dims = sortedDims(dims)
	key := seriesKey(ns, name, dims)
	s := r.metrics[key]
	if s == nil {
		s = &cwSeries{Namespace: ns, MetricName: name, Dims: dims}
		r.metrics[key] = s
	}
	i := len(s.points)
	if i > 0 && s.points[i-1].t.After(p.t) {
		i = sort.Search(len(s.points), func(k int) bool { return s.points[k].t.After(p.t) })
	}
	s.points = append(s.points, cwPoint{})
	copy(s.points[i+1:], s.points[i:])
	s.points[i] = p
	if p.t.After(s.lastPut) {
		s.lastPut = p.t
	}
}

// between returns the points with from <= t < to.
func (s *cwSeries) between(from, to time.Time) []cwPoint {
	lo := sort.Search(len(s.points), func(k int) bool { return !s.points[k].t.Before(from) })
	hi := sort.Search(len(s.points), func(k int) bool { return !s.points[k].t.Before(to) })
	return s.points[lo:hi]
}

type statisticSet struct {
	SampleCount, Sum, Minimum, Maximum *float64
}

type metricDatumIn struct {
	MetricName        *string
	Dimensions        []cwDimension
	Timestamp         *time.Time
	Value             *float64
	StatisticValues   *statisticSet
	Values            []float64
	Counts            []float64
	Unit              *string
	StorageResolution *int64
}

type putMetricDataInput struct {
	Namespace        *string
	MetricData       []metricDatumIn
	EntityMetricData []any
}

// maxMetricValue is 2^360, the magnitude CloudWatch accepts.
var maxMetricValue = math.Pow(2, 360)

// putMetricData validates the whole request first (one bad datum rejects it all, as AWS does),
// then stores every datum. gzip bodies arrive here already decompressed (the wire layer).
func (cw *cwService) putMetricData(c *core.Call) (any, error) {
	var in putMetricDataInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Namespace == nil {
		return nil, missingParam("Namespace")
	}
	if err := checkLen("namespace", *in.Namespace, 1, 255); err != nil {
		return nil, err
	}
	if strings.HasPrefix(*in.Namespace, "AWS/") || strings.HasPrefix(*in.Namespace, ":") {
		return nil, invalidValue(fmt.Sprintf("The value %s for parameter Namespace is invalid.", *in.Namespace))
	}
	if len(in.EntityMetricData) > 0 {
		return nil, invalidValue("The emulator does not accept EntityMetricData; use MetricData.")
	}
	if len(in.MetricData) == 0 {
		return nil, missingParam("MetricData")
	}
	if len(in.MetricData) > 1000 {
		return nil, invalidValue(fmt.Sprintf("The collection MetricData must not have a size greater than 1000 (got %d).", len(in.MetricData)))
	}
	points := make([]cwPoint, len(in.MetricData))
	for i := range in.MetricData {
		p, err := in.MetricData[i].point(fmt.Sprintf("MetricData.member.%d", i+1), c.Now)
		if err != nil {
			return nil, err
		}
		points[i] = p
	}
	r := cw.region(c.Region)
	for i, d := range in.MetricData {
		ts := c.Now
		if d.Timestamp != nil {
			ts = *d.Timestamp
		}
		highRes := d.StorageResolution != nil && *d.StorageResolution == 1
		r.store(*in.Namespace, *d.MetricName, d.Dimensions, ts, highRes, points[i])
	}
	return struct{}{}, nil
}

func invalidValue(msg string) *wire.APIError {
	return &wire.APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue", Message: msg}
}

func invalidCombination(msg string) *wire.APIError {
	return &wire.APIError{Type: "InvalidParameterCombinationException", Code: "InvalidParameterCombination", Message: msg}
}

// point validates one datum (member is its query-style path, as AWS's messages name it).
func (d *metricDatumIn) point(member string, now time.Time) (cwPoint, error) {
	if d.MetricName == nil {
		return cwPoint{}, missingParam(member + ".MetricName")
	}
	if err := checkLen("metricData.member.metricName", *d.MetricName, 1, 255); err != nil {
		return cwPoint{}, err
	}
	if _, err := checkDimensions(d.Dimensions); err != nil {
		return cwPoint{}, err
	}
	if d.Timestamp != nil {
		switch {
		case d.Timestamp.After(now.Add(2 * time.Hour)):
			return cwPoint{}, invalidValue(fmt.Sprintf("The parameter %s.Timestamp must specify a time no more than two hours in the future.", member))
		case d.Timestamp.Before(now.Add(-14 * 24 * time.Hour)):
			return cwPoint{}, invalidValue(fmt.Sprintf("The parameter %s.Timestamp must specify a time within the past two weeks.", member))
		}
	}
	if d.StorageResolution != nil && *d.StorageResolution != 1 && *d.StorageResolution != 60 {
		return cwPoint{}, invalidValue(fmt.Sprintf("The value %d for parameter %s.StorageResolution is invalid.", *d.StorageResolution, member))
	}
	p := cwPoint{unit: "None"}
	if d.Unit != nil {
		if err := checkEnum("metricData.member.unit", *d.Unit, standardUnits); err != nil {
			return cwPoint{}, err
		}
		p.unit = *d.Unit
	}
	kinds := 0
	for _, set := range []bool{d.Value != nil, d.StatisticValues != nil, d.Values != nil} {
		if set {
			kinds++
		}
	}
	if kinds > 1 {
		return cwPoint{}, invalidCombination(fmt.Sprintf("The parameters %[1]s.Value, %[1]s.StatisticValues and %[1]s.Values are mutually exclusive and you have specified more than one.", member))
	}
	switch {
	case d.Value != nil:
		if err := checkMetricValue(member+".Value", *d.Value); err != nil {
			return cwPoint{}, err
		}
		p.sum, p.count, p.min, p.max = *d.Value, 1, *d.Value, *d.Value
		p.values, p.counts = []float64{*d.Value}, []float64{1}
	case d.StatisticValues != nil:
		sv := d.StatisticValues
		for _, f := range []struct {
			name string
			v    *float64
		}{{"SampleCount", sv.SampleCount}, {"Sum", sv.Sum}, {"Minimum", sv.Minimum}, {"Maximum", sv.Maximum}} {
			if f.v == nil {
				return cwPoint{}, missingParam(member + ".StatisticValues." + f.name)
			}
			if err := checkMetricValue(member+".StatisticValues."+f.name, *f.v); err != nil {
				return cwPoint{}, err
			}
		}
		if *sv.SampleCount <= 0 || *sv.Minimum > *sv.Maximum {
			return cwPoint{}, invalidValue(fmt.Sprintf("The parameter %s.StatisticValues must have SampleCount > 0 and Minimum <= Maximum.", member))
		}
		p.sum, p.count, p.min, p.max = *sv.Sum, *sv.SampleCount, *sv.Minimum, *sv.Maximum
	case d.Values != nil:
		if err := valuesPoint(member, d.Values, d.Counts, &p); err != nil {
			return cwPoint{}, err
		}
	default:
		return cwPoint{}, missingParam(member + ".Value")
	}
	return p, nil
}

// valuesPoint fills p from Values (≤150) and optional Counts (same length, each ≥ 0).
func valuesPoint(member string, values, counts []float64, p *cwPoint) error {
	if len(values) == 0 || len(values) > 150 {
		return invalidValue(fmt.Sprintf("The collection %s.Values must have between 1 and 150 items.", member))
	}
	if counts != nil && len(counts) != len(values) {
		return invalidCombination(fmt.Sprintf("The parameters %[1]s.Values and %[1]s.Counts must be of the same size.", member))
	}
	p.min, p.max = math.Inf(1), math.Inf(-1)
	for i, v := range values {
		if err := checkMetricValue(fmt.Sprintf("%s.Values.member.%d", member, i+1), v); err != nil {
			return err
		}
		n := 1.0
		if counts != nil {
			n = counts[i]
			if n < 0 || math.IsNaN(n) || math.IsInf(n, 0) {
				return invalidValue(fmt.Sprintf("The value %v for parameter %s.Counts.member.%d is invalid.", n, member, i+1))
			}
		}
		if n == 0 {
			continue
		}
		p.sum += v * n
		p.count += n
		p.min, p.max = math.Min(p.min, v), math.Max(p.max, v)
		p.values, p.counts = append(p.values, v), append(p.counts, n)
	}
	if p.count == 0 {
		return invalidValue(fmt.Sprintf("The parameter %s.Counts must count at least one value.", member))
	}
	return nil
}

func checkMetricValue(member string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxMetricValue {
		return invalidValue(fmt.Sprintf("The value %v for parameter %s is invalid.", v, member))
	}
	return nil
}

type dimensionFilter struct {
	Name  string
	Value *string
}

type listMetricsInput struct {
	Namespace      *string
	MetricName     *string
	Dimensions     []dimensionFilter
	RecentlyActive *string
	NextToken      *string
}

type metricOut struct {
	Namespace  string
	MetricName string
	Dimensions []cwDimension
}

// listMetrics lists metrics matching every filter, 500 per page, in a stable order.
func (cw *cwService) listMetrics(c *core.Call) (any, error) {
	var in listMetricsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Dimensions) > 30 {
		return nil, cwValidation("dimensions", fmt.Sprint(len(in.Dimensions)), "Member must have length less than or equal to 30")
	}
	if in.RecentlyActive != nil && *in.RecentlyActive != "PT3H" {
		return nil, checkEnum("recentlyActive", *in.RecentlyActive, []string{"PT3H"})
	}
	after := ""
	if in.NextToken != nil {
		var ok bool
		if after, ok = decodeCWToken(*in.NextToken); !ok {
			return nil, &wire.APIError{Type: "InvalidNextToken", Message: "The service returned an invalid NextToken."}
		}
	}
	r := cw.region(c.Region)
	keys := make([]string, 0, len(r.metrics))
	for k, s := range r.metrics {
		if k > after && s.matches(in, c.Now) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := struct {
		Metrics   []metricOut
		NextToken string `json:",omitempty"`
	}{Metrics: []metricOut{}}
	for i, k := range keys {
		if i == 500 {
			out.NextToken = encodeCWToken(keys[i-1])
			break
		}
		s := r.metrics[k]
		out.Metrics = append(out.Metrics, metricOut{Namespace: s.Namespace, MetricName: s.MetricName, Dimensions: nonNilDims(s.Dims)})
	}
	return out, nil
}

func (s *cwSeries) matches(in listMetricsInput, now time.Time) bool {
	if (in.Namespace != nil && s.Namespace != *in.Namespace) || (in.MetricName != nil && s.MetricName != *in.MetricName) {
		return false
	}
	if in.RecentlyActive != nil && s.lastPut.Before(now.Add(-3*time.Hour)) {
		return false
	}
	for _, f := range in.Dimensions {
		found := false
		for _, d := range s.Dims {
			if d.Name == f.Name && (f.Value == nil || d.Value == *f.Value) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
