package cloudwatch

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

type metricIn struct {
	Namespace  *string
	MetricName *string
	Dimensions []cwDimension
}

type metricStatIn struct {
	Metric *metricIn
	Period *int64
	Stat   *string
	Unit   *string
}

type metricDataQueryIn struct {
	Id         *string
	MetricStat *metricStatIn
	Expression *string
	Label      *string
	ReturnData *bool
	Period     *int64
	AccountId  *string
}

type getMetricDataInput struct {
	MetricDataQueries []metricDataQueryIn
	StartTime         *time.Time
	EndTime           *time.Time
	NextToken         *string
	ScanBy            *string
	MaxDatapoints     *int64
}

type metricDataResult struct {
	Id         string
	Label      string
	StatusCode string
	Timestamps []time.Time
	Values     []float64
	Messages   []struct{} `json:",omitempty"`
}

var queryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// validPeriod accepts the periods GetMetricData and GetMetricStatistics take: 1, 5, 10, 20, 30
// (high-resolution data) or a multiple of 60.
func validPeriod(p int64) bool {
	return p == 1 || p == 5 || p == 10 || p == 20 || p == 30 || (p > 0 && p%60 == 0)
}

// getMetricData answers MetricStat queries: one value per period in [StartTime, EndTime) that
// has data, newest first unless ScanBy is TimestampAscending. Metric math is not evaluated.
func (cw *cwService) getMetricData(c *core.Call) (any, error) {
	var in getMetricDataInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.StartTime == nil || in.EndTime == nil || in.MetricDataQueries == nil {
		return nil, missingParam(firstMissing(map[string]bool{"MetricDataQueries": in.MetricDataQueries == nil,
			"StartTime": in.StartTime == nil, "EndTime": in.EndTime == nil}))
	}
	if !in.StartTime.Before(*in.EndTime) {
		return nil, cwInvalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	if len(in.MetricDataQueries) > 500 {
		return nil, cwValidation("metricDataQueries", fmt.Sprint(len(in.MetricDataQueries)), "Member must have length less than or equal to 500")
	}
	ascending := false
	if in.ScanBy != nil {
		if err := checkEnum("scanBy", *in.ScanBy, []string{"TimestampDescending", "TimestampAscending"}); err != nil {
			return nil, err
		}
		ascending = *in.ScanBy == "TimestampAscending"
	}
	maxPoints := 100800
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints < 1 {
			return nil, cwValidation("maxDatapoints", fmt.Sprint(*in.MaxDatapoints), rangeConstraint(*in.MaxDatapoints, 1, math.MaxInt32))
		}
		maxPoints = int(min(*in.MaxDatapoints, math.MaxInt32))
	}
	skip := 0
	if in.NextToken != nil {
		s, ok := decodeCWToken(*in.NextToken)
		n, err := strconv.Atoi(s)
		if !ok || err != nil || n < 0 {
			return nil, &wire.APIError{Type: "InvalidNextToken", Message: "The service returned an invalid NextToken."}
		}
		skip = n
	}
	r := cw.region(c.Region)
	var results []metricDataResult
	seen := map[string]bool{}
	for i, q := range in.MetricDataQueries {
		res, err := r.answer(q, i, queryStart(*in.StartTime, c.Now), *in.EndTime, ascending)
		if err != nil {
			return nil, err
		}
		if seen[res.Id] {
			return nil, cwInvalid("The value " + res.Id + " for parameter MetricDataQueries.member.Id is not unique.")
		}
		seen[res.Id] = true
		if q.ReturnData == nil || *q.ReturnData {
			results = append(results, res)
		}
	}
	return pageMetricData(results, skip, maxPoints), nil
}

// pageMetricData serves the datapoints after the first skip (counted across results in order),
// at most maxPoints of them, with a NextToken and PartialData status where it stops short.
func pageMetricData(results []metricDataResult, skip, maxPoints int) any {
	out := struct {
		MetricDataResults []metricDataResult
		Messages          []struct{} `json:",omitempty"`
		NextToken         string     `json:",omitempty"`
	}{MetricDataResults: []metricDataResult{}}
	served, pos := 0, 0
	for _, res := range results {
		n := len(res.Values)
		lo := min(max(skip-pos, 0), n)
		hi := min(lo+maxPoints-served, n)
		pos += n
		res.Timestamps, res.Values = res.Timestamps[lo:hi], res.Values[lo:hi]
		served += hi - lo
		if hi < n {
			res.StatusCode = "PartialData"
			out.NextToken = encodeCWToken(strconv.Itoa(skip + served))
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
		if out.NextToken != "" {
			break
		}
	}
	return out
}

func firstMissing(m map[string]bool) string {
	for _, k := range []string{"MetricDataQueries", "StartTime", "EndTime", "Namespace", "MetricName", "Period"} {
		if m[k] {
			return k
		}
	}
	return ""
}

// answer computes one query's result.
func (r *cwRegion) answer(q metricDataQueryIn, i int, start, end time.Time, ascending bool) (metricDataResult, error) {
	member := fmt.Sprintf("MetricDataQueries.member.%d", i+1)
	if q.Id == nil {
		return metricDataResult{}, missingParam(member + ".Id")
	}
	if err := checkLen("metricDataQueries.member.id", *q.Id, 1, 255); err != nil {
		return metricDataResult{}, err
	}
	if !queryID.MatchString(*q.Id) {
		return metricDataResult{}, cwInvalid(fmt.Sprintf("The value %s for parameter %s.Id is invalid: it must start with a lowercase letter and contain only letters, digits and underscores.", *q.Id, member))
	}
	if q.Expression != nil {
		return metricDataResult{}, invalidValue(member + ".Expression: the emulator does not evaluate metric math; use MetricStat.")
	}
	ms := q.MetricStat
	if ms == nil || ms.Metric == nil || ms.Metric.Namespace == nil || ms.Metric.MetricName == nil || ms.Period == nil || ms.Stat == nil {
		return metricDataResult{}, missingParam(member + ".MetricStat (Metric.Namespace, Metric.MetricName, Period and Stat)")
	}
	if !validPeriod(*ms.Period) {
		return metricDataResult{}, invalidValue(fmt.Sprintf("The value %d for parameter %s.MetricStat.Period is invalid: use 1, 5, 10, 20, 30 or a multiple of 60.", *ms.Period, member))
	}
	if !hasString(alarmStatistics, *ms.Stat) && !extendedStatistic.MatchString(*ms.Stat) {
		return metricDataResult{}, invalidValue(fmt.Sprintf("The value %s for parameter %s.MetricStat.Stat is not supported.", *ms.Stat, member))
	}
	unit := ""
	if ms.Unit != nil {
		unit = *ms.Unit
	}
	res := metricDataResult{Id: *q.Id, Label: *ms.Metric.MetricName, StatusCode: "Complete", Timestamps: []time.Time{}, Values: []float64{}}
	if q.Label != nil {
		res.Label = *q.Label
	}
	dims := sortedDims(ms.Metric.Dimensions)
	s := r.metrics[seriesKey(*ms.Metric.Namespace, *ms.Metric.MetricName, dims)]
	if s == nil {
		return res, nil
	}
	p := time.Duration(*ms.Period) * time.Second
	for t := start; t.Before(end); t = t.Add(p) {
		g, ok := aggregate(s.between(maxTime(t, start), minTime(t.Add(p), end)), unit)
		if !ok {
			continue
		}
		if v, ok := g.stat(*ms.Stat); ok {
			res.Timestamps, res.Values = append(res.Timestamps, t), append(res.Values, v)
		}
	}
	if !ascending {
		for a, b := 0, len(res.Values)-1; a < b; a, b = a+1, b-1 {
			res.Timestamps[a], res.Timestamps[b] = res.Timestamps[b], res.Timestamps[a]
			res.Values[a], res.Values[b] = res.Values[b], res.Values[a]
		}
	}
	return res, nil
}

// queryStart rounds StartTime as CloudWatch does before it cuts periods: down to the minute
// for data less than 15 days old, to 5 minutes up to 63 days, to the hour beyond. Periods then
// run from there (sub-minute periods divide the minute, so they stay aligned).
func queryStart(start, now time.Time) time.Time {
	switch age := now.Sub(start); {
	case age > 63*24*time.Hour:
		return alignDown(start, time.Hour)
	case age > 15*24*time.Hour:
		return alignDown(start, 5*time.Minute)
	}
	return alignDown(start, time.Minute)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

type getMetricStatisticsInput struct {
	Namespace          *string
	MetricName         *string
	Dimensions         []cwDimension
	StartTime          *time.Time
	EndTime            *time.Time
	Period             *int64
	Statistics         []string
	ExtendedStatistics []string
	Unit               *string
}

type datapointOut struct {
	Timestamp          time.Time
	SampleCount        *float64
	Average            *float64
	Sum                *float64
	Minimum            *float64
	Maximum            *float64
	Unit               string
	ExtendedStatistics map[string]float64
}

// getMetricStatistics answers one metric's statistics per period (at most 1,440 periods).
func (cw *cwService) getMetricStatistics(c *core.Call) (any, error) {
	var in getMetricStatisticsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	p := time.Duration(*in.Period) * time.Second
	unit := ""
	if in.Unit != nil {
		unit = *in.Unit
	}
	out := struct {
		Label      string
		Datapoints []datapointOut
	}{Label: *in.MetricName, Datapoints: []datapointOut{}}
	s := cw.region(c.Region).metrics[seriesKey(*in.Namespace, *in.MetricName, sortedDims(in.Dimensions))]
	if s == nil {
		return out, nil
	}
	start := queryStart(*in.StartTime, c.Now)
	for t := start; t.Before(*in.EndTime); t = t.Add(p) {
		pts := s.between(maxTime(t, start), minTime(t.Add(p), *in.EndTime))
		g, ok := aggregate(pts, unit)
		if !ok {
			continue
		}
		out.Datapoints = append(out.Datapoints, in.datapoint(t, pts[0].unit, g))
	}
	return out, nil
}

// validate applies GetMetricStatistics' constraints, as CloudWatch words them.
func (in *getMetricStatisticsInput) validate() error {
	if m := firstMissing(map[string]bool{"Namespace": in.Namespace == nil, "MetricName": in.MetricName == nil,
		"StartTime": in.StartTime == nil, "EndTime": in.EndTime == nil, "Period": in.Period == nil}); m != "" {
		return missingParam(m)
	}
	if !in.StartTime.Before(*in.EndTime) {
		return cwInvalid("The parameter StartTime must be less than the parameter EndTime.")
	}
	if !validPeriod(*in.Period) {
		return invalidValue(fmt.Sprintf("The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60, got %d.", *in.Period))
	}
	if (len(in.Statistics) == 0) == (len(in.ExtendedStatistics) == 0) {
		return invalidCombination("Exactly one of the parameters Statistics or ExtendedStatistics must be specified.")
	}
	if len(in.Statistics) > 5 || len(in.ExtendedStatistics) > 10 {
		return cwInvalid("At most 5 Statistics or 10 ExtendedStatistics may be requested.")
	}
	for _, s := range in.Statistics {
		if err := checkEnum("statistics.member", s, alarmStatistics); err != nil {
			return err
		}
	}
	for _, s := range in.ExtendedStatistics {
		if !extendedStatistic.MatchString(s) {
			return invalidValue(fmt.Sprintf("The value %s for parameter ExtendedStatistics is not supported.", s))
		}
	}
	p := time.Duration(*in.Period) * time.Second
	if n := in.EndTime.Sub(*in.StartTime) / p; n > 1440 {
		return invalidCombination(fmt.Sprintf("You have requested up to %s datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", groupThousands(int64(n))))
	}
	return nil
}

// datapoint is one period's answer: the requested statistics of the aggregate g.
func (in *getMetricStatisticsInput) datapoint(t time.Time, unit string, g cwAgg) datapointOut {
	dp := datapointOut{Timestamp: t, Unit: unit}
	for _, st := range in.Statistics {
		v, _ := g.stat(st)
		switch st {
		case "SampleCount":
			dp.SampleCount = &v
		case "Average":
			dp.Average = &v
		case "Sum":
			dp.Sum = &v
		case "Minimum":
			dp.Minimum = &v
		case "Maximum":
			dp.Maximum = &v
		}
	}
	for _, st := range in.ExtendedStatistics {
		if v, ok := g.stat(st); ok {
			if dp.ExtendedStatistics == nil {
				dp.ExtendedStatistics = map[string]float64{}
			}
			dp.ExtendedStatistics[st] = v
		}
	}
	return dp
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var parts []string
	for len(s) > 3 {
		parts = append([]string{s[len(s)-3:]}, parts...)
		s = s[:len(s)-3]
	}
	return strings.Join(append([]string{s}, parts...), ",")
}
