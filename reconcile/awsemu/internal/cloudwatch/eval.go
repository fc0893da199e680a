package cloudwatch

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Alarm evaluation, as
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
// describes it. At every boundary of its period (a multiple of Period since
// the Unix epoch) an alarm aggregates its statistic over each period of its evaluation range —
// the last N+2 periods, N = EvaluationPeriods; CloudWatch fetches "more datapoints than N" and
// the documented example uses N+2 — and decides:
//
//   - At least N periods of the range have data: TreatMissingData does not apply. The most recent
//     N of them are evaluated; ALARM if at least M (DatapointsToAlarm) breach, otherwise OK.
//   - Fewer: the N-r missing points are filled according to TreatMissingData —
//     breaching: they breach; notBreaching: they do not;
//     ignore: the state is kept unless the real points decide it whatever the missing ones are;
//     missing: no data at all gives INSUFFICIENT_DATA; otherwise the missing points count
//     neither way: ALARM needs M real breaching points — or AWS's rule for intermittent data
//     (AlarmThatSendsEmail.md, "Avoiding premature transitions to alarm state"): "alarms are
//     designed to always go into ALARM state when the oldest available breaching datapoint
//     during the Evaluation Periods number of data points is at least as old as the value of
//     Datapoints to Alarm, and all other more recent data points are breaching or missing";
//     anything else is OK. With M=N=3, "X - -" is ALARM, "- - X" and "0 - -" are OK, and with
//     ignore "X - -" keeps the state (the documentation's table).
//
// A 10-second alarm on a per-minute metric (the lab's alarm, whose metric filter writes
// regular-resolution datapoints stamped at the start of each minute): one 10-second period in six
// holds the minute's datapoint. With N=1 the evaluation range is 30 s, so that datapoint is
// evaluated at the :10, :20 and :30 boundaries; at :40, :50 and :00 the range is empty and
// TreatMissingData decides (notBreaching: OK; missing: INSUFFICIENT_DATA; breaching: ALARM;
// ignore: unchanged). So with notBreaching a minute with failures goes ALARM at :10 and back to OK
// at :40, publishing each transition once — which is what CloudWatch does with a sub-minute
// period on standard-resolution data: it flaps, so use a 60 s period for metric filters.
//
// Evaluation runs in the CloudWatch tick after the Logs tick of the same step, so datapoints a
// metric filter emitted for the minute that just ended are already stored.

// alignDown is the period boundary at or before t.
func alignDown(t time.Time, p time.Duration) time.Time {
	sec, ps := t.Unix(), int64(p/time.Second)
	if ps <= 0 {
		return t
	}
	r := sec % ps
	if r < 0 {
		r += ps
	}
	return time.Unix(sec-r, 0).UTC()
}

// tick evaluates every alarm at every boundary of its period in (from, to], in time order (and
// by alarm name within a boundary).
func (cw *cwService) tick(from, to time.Time) {
	type job struct {
		at time.Time
		a  *cwAlarm
	}
	for _, rn := range cw.regionNames() {
		r := cw.regions[rn]
		var jobs []job
		for _, name := range r.names {
			a := r.alarms[name]
			p := time.Duration(a.Period) * time.Second
			first := len(jobs)
			for b := alignDown(to, p); b.After(from); b = b.Add(-p) {
				jobs = append(jobs, job{b, a})
			}
			// Oldest boundary first for this alarm.
			for i, j := first, len(jobs)-1; i < j; i, j = i+1, j-1 {
				jobs[i], jobs[j] = jobs[j], jobs[i]
			}
		}
		sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].at.Before(jobs[j].at) })
		for _, j := range jobs {
			cw.evaluate(r, j.a, j.at)
		}
		if alignDown(to, time.Hour).After(from) {
			r.expire(to)
		}
	}
}

// Retention, applied once an emulated hour so a long-running sandbox stays bounded: alarm
// history is kept 30 days, as CloudWatch keeps it; datapoints 15 days, the retention of
// one-minute data (older data, which AWS keeps at coarser resolution, PutMetricData no longer
// accepts and no alarm looks back to).
const (
	alarmHistoryRetention = 30 * 24 * time.Hour
	datapointRetention    = 15 * 24 * time.Hour
)

func (r *cwRegion) expire(now time.Time) {
	h := sort.Search(len(r.history), func(i int) bool { return !r.history[i].Timestamp.Before(now.Add(-alarmHistoryRetention)) })
	if h > 0 {
		r.history = append(r.history[:0:0], r.history[h:]...)
	}
	for key, s := range r.metrics {
		k := sort.Search(len(s.points), func(i int) bool { return !s.points[i].t.Before(now.Add(-datapointRetention)) })
		if k == 0 {
			continue
		}
		s.points = append(s.points[:0:0], s.points[k:]...)
		if len(s.points) == 0 {
			delete(r.metrics, key)
		}
	}
}

// evalPoint is one period of the evaluation range.
type evalPoint struct {
	start   time.Time
	value   float64
	samples float64
}

// evaluate decides the alarm's state at boundary at, and changes it if it differs.
func (cw *cwService) evaluate(r *cwRegion, a *cwAlarm, at time.Time) {
	p := time.Duration(a.Period) * time.Second
	n, m := int(a.EvaluationPeriods), a.m()
	stat := a.Statistic
	if stat == "" {
		stat = a.ExtendedStatistic
	}
	var real []evalPoint // oldest first
	if s := r.metrics[a.series]; s != nil {
		for k := n + 2; k >= 1; k-- {
			start := at.Add(-time.Duration(k) * p)
			g, ok := aggregate(s.between(start, start.Add(p)), a.Unit)
			if !ok {
				continue
			}
			if v, ok := g.stat(stat); ok {
				real = append(real, evalPoint{start: start, value: v, samples: g.count})
			}
		}
	}
	if len(real) > n {
		real = real[len(real)-n:]
	}
	if a.lowSampleIgnored(real) {
		return
	}
	var breaching []evalPoint
	for _, pt := range real {
		if a.breaches(pt.value) {
			breaching = append(breaching, pt)
		}
	}
	missing := n - len(real)
	state := ""
	switch {
	case missing == 0:
		state = okOrAlarm(len(breaching) >= m)
	case a.treatMissing() == "breaching":
		state = okOrAlarm(len(breaching)+missing >= m)
	case a.treatMissing() == "notBreaching":
		state = okOrAlarm(len(breaching) >= m)
	case a.treatMissing() == "ignore":
		switch {
		case len(breaching)+missing < m:
			state = "OK"
		case len(breaching) >= m:
			state = "ALARM"
		default:
			return // undecided: keep the current state
		}
	default: // missing
		if len(real) == 0 {
			state = "INSUFFICIENT_DATA"
		} else {
			state = okOrAlarm(len(breaching) >= m || a.longEnoughBreach(real, at, n, m))
		}
	}
	if state == a.State {
		return
	}
	reason := a.reason(state, real, breaching, missing)
	cw.changeState(r, a, state, reason, a.reasonData(at, stat, real), at)
}

// longEnoughBreach is the premature-transition rule: within the last n periods, the oldest
// breaching datapoint is at least m periods old and every later datapoint breaches too.
func (a *cwAlarm) longEnoughBreach(real []evalPoint, at time.Time, n, m int) bool {
	p := time.Duration(a.Period) * time.Second
	age := func(pt evalPoint) int { return int(at.Sub(pt.start) / p) } // 1: the period ending at `at`
	for i, pt := range real {
		if age(pt) > n || !a.breaches(pt.value) {
			continue
		}
		if age(pt) < m {
			return false
		}
		for _, later := range real[i+1:] {
			if !a.breaches(later.value) {
				return false
			}
		}
		return true
	}
	return false
}

func okOrAlarm(alarm bool) string {
	if alarm {
		return "ALARM"
	}
	return "OK"
}

func (a *cwAlarm) breaches(v float64) bool {
	switch a.ComparisonOperator {
	case "GreaterThanOrEqualToThreshold":
		return v >= a.Threshold
	case "GreaterThanThreshold":
		return v > a.Threshold
	case "LessThanThreshold":
		return v < a.Threshold
	case "LessThanOrEqualToThreshold":
		return v <= a.Threshold
	}
	return false
}

// lowSampleIgnored: a percentile alarm with EvaluateLowSampleCountPercentile=ignore keeps its
// state while a datapoint has fewer samples than 10/(1-p) ("statistically insignificant").
func (a *cwAlarm) lowSampleIgnored(real []evalPoint) bool {
	if a.EvaluateLowSampleCountPercentile != "ignore" || !strings.HasPrefix(a.ExtendedStatistic, "p") {
		return false
	}
	pct, err := strconv.ParseFloat(strings.TrimPrefix(a.ExtendedStatistic, "p"), 64)
	if err != nil || pct >= 100 {
		return false
	}
	need := 10 / (1 - pct/100)
	for _, pt := range real {
		if pt.samples < need {
			return true
		}
	}
	return false
}

var operatorPhrases = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to", "GreaterThanThreshold": "greater than",
	"LessThanThreshold": "less than", "LessThanOrEqualToThreshold": "less than or equal to",
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// listPoints writes "[3.0 (26/11/26 07:00:00), …]", newest first, as CloudWatch's reasons do.
func listPoints(pts []evalPoint) string {
	parts := make([]string, 0, len(pts))
	for i := len(pts) - 1; i >= 0; i-- {
		parts = append(parts, javaDouble(pts[i].value)+" ("+pts[i].start.UTC().Format("02/01/06 15:04:05")+")")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// reason is the StateReason CloudWatch writes for an evaluated transition.
func (a *cwAlarm) reason(state string, real, breaching []evalPoint, missing int) string {
	n, m := int(a.EvaluationPeriods), a.m()
	thr := javaDouble(a.Threshold)
	op := operatorPhrases[a.ComparisonOperator]
	switch {
	case state == "INSUFFICIENT_DATA":
		return fmt.Sprintf("Insufficient Data: %d %s %s unknown.", n, plural(n, "datapoint", "datapoints"), plural(n, "was", "were"))
	case len(real) == 0:
		treated := "NonBreaching"
		if state == "ALARM" {
			treated = "Breaching"
		}
		return fmt.Sprintf("Threshold Crossed: no datapoints were received for %d %s and %d missing %s %s treated as [%s].",
			missing, plural(missing, "period", "periods"), missing, plural(missing, "datapoint", "datapoints"), plural(missing, "was", "were"), treated)
	case state == "ALARM":
		k := len(breaching)
		return fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s %s %s the threshold (%s) (minimum %d %s for OK -> ALARM transition).",
			k, n, listPoints(breaching), plural(k, "was", "were"), op, thr, m, plural(m, "datapoint", "datapoints"))
	default:
		k := len(real)
		return fmt.Sprintf("Threshold Crossed: %d %s %s %s not %s the threshold (%s).",
			k, plural(k, "datapoint", "datapoints"), listPoints(real), plural(k, "was", "were"), op, thr)
	}
}

// reasonData is the StateReasonData JSON CloudWatch attaches to an evaluated transition.
func (a *cwAlarm) reasonData(at time.Time, stat string, real []evalPoint) string {
	recent := make([]jfloat, 0, len(real))
	evaluated := make([]map[string]any, 0, len(real))
	for i := len(real) - 1; i >= 0; i-- {
		recent = append(recent, jfloat(real[i].value))
		evaluated = append(evaluated, map[string]any{"timestamp": awsTime(real[i].start),
			"sampleCount": jfloat(real[i].samples), "value": jfloat(real[i].value)})
	}
	p := time.Duration(a.Period) * time.Second
	d := map[string]any{
		"version": "1.0", "queryDate": awsTime(at),
		"startDate": awsTime(at.Add(-time.Duration(a.EvaluationPeriods) * p)),
		"statistic": stat, "period": a.Period, "recentDatapoints": recent,
		"threshold": jfloat(a.Threshold), "evaluatedDatapoints": evaluated,
	}
	if a.Unit != "" {
		d["unit"] = a.Unit
	}
	return compactJSON(d)
}
