package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// Judging the pipelines of a region's Monitors, once every kind has been observed. Most of what
// it needs was read on the way (trail statuses, key states, the switch's alarm and filter). What
// was not — whether events reach a log group whose trails' own status does not prove it, and
// whether the first heartbeat has reached a switch that is not armed — is read from CloudWatch
// metrics in one GetMetricData call for the whole region, and only when some Monitor needs it
// (pipeline.Input.NeedsEvents, pipeline.HeartbeatInput.NeedsMetric): a converged account whose
// trails deliver makes none.

// maxQueries is GetMetricData's limit of queries per call.
const maxQueries = 500

// metricQuery is one metric a pass reads for one Monitor: its events or its heartbeat.
type metricQuery struct {
	monitor   int
	heartbeat bool
	query     cwtypes.MetricDataQuery
}

// observePipelines fills each Monitor's Actual.Pipeline and Actual.HeartbeatArmed.
func observePipelines(ctx context.Context, o *observer, now time.Time) {
	inputs := make([]*pipeline.Input, len(o.wants))
	var queries []metricQuery
	lookback := time.Duration(0)
	for i, w := range o.wants {
		if w.LogGroup == nil { // a Monitor pruned from elsewhere: nothing to judge
			continue
		}
		in := pipelineInput(w, &o.gots[i])
		inputs[i] = &in
		if in.NeedsEvents(now) {
			in.Lookback = max(2*in.StaleAfter, time.Hour)
			lookback = max(lookback, in.Lookback)
			queries = append(queries, metricQuery{monitor: i, query: sumQuery("e"+strconv.Itoa(i), "AWS/Logs", "IncomingLogEvents",
				cwtypes.Dimension{Name: aws.String("LogGroupName"), Value: aws.String(w.LogGroup.Name)})})
		}
		if h, hs := in.Heartbeat, w.Pipeline.Heartbeat; h != nil && h.NeedsMetric(now, hasFilter(o.gots[i].Filters, w.LogGroup.Name, hs.Name)) {
			lookback = max(lookback, h.AlarmAfter)
			queries = append(queries, metricQuery{monitor: i, heartbeat: true, query: sumQuery("h"+strconv.Itoa(i), hs.Namespace, hs.MetricName)})
		}
	}
	if len(queries) > 0 {
		latest, err := readLatest(ctx, o.r, queries, now.Add(-lookback), now.Add(time.Minute))
		for _, q := range queries {
			in := inputs[q.monitor]
			switch {
			case err != nil:
				in.MetricsErr = err.Error()
			case q.heartbeat:
				in.Heartbeat.LastArrived = latest[aws.ToString(q.query.Id)]
			default:
				in.LastEvent, in.EventsRead = latest[aws.ToString(q.query.Id)], true
			}
		}
	}
	for i, in := range inputs {
		if in == nil {
			continue
		}
		if in.Heartbeat != nil {
			o.gots[i].HeartbeatArmed = in.Heartbeat.Armed(now)
		}
		o.gots[i].Pipeline = pipeline.Evaluate(*in, now)
	}
}

// pipelineInput is what the pass observed of w's pipeline, before any metric is read.
func pipelineInput(w State, got *Actual) pipeline.Input {
	in := pipeline.Input{Monitor: w.Monitor, LogGroup: w.LogGroup.ARN, StaleAfter: w.Pipeline.StaleAfter}
	seen := map[string]bool{}
	add := func(t Trail) {
		if !seen[t.Name] && t.Status.Name != "" {
			seen[t.Name] = true
			in.Trails = append(in.Trails, t.Status)
		}
	}
	if w.Trail != nil {
		if t := findByName(got.Trails, w.Trail.Name, func(t Trail) string { return t.Name }); t != nil {
			add(*t)
		}
	}
	for _, t := range got.Feeding {
		add(t)
	}
	if hs := w.Pipeline.Heartbeat; hs != nil {
		h := &pipeline.HeartbeatInput{Alarm: hs.Name, AlarmAfter: hs.AlarmAfter}
		if a := findByName(got.Alarms, hs.Name, func(a Alarm) string { return a.Name }); a != nil {
			h.AlarmExists, h.AlarmState = true, a.State
		}
		for _, f := range got.Filters {
			if f.LogGroup == w.LogGroup.Name && f.Name == hs.Name {
				h.FilterCreated = f.Created
			}
		}
		in.Heartbeat = h
	}
	return in
}

func hasFilter(fs []MetricFilter, logGroup, name string) bool {
	return slices.ContainsFunc(fs, func(f MetricFilter) bool { return f.LogGroup == logGroup && f.Name == name })
}

// sumQuery is the per-minute Sum of one metric.
func sumQuery(id, namespace, name string, dims ...cwtypes.Dimension) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(true), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String(namespace), MetricName: aws.String(name), Dimensions: dims},
		Period: aws.Int32(60), Stat: aws.String("Sum"),
	}}
}

// readLatest reads the queries in one GetMetricData call per 500 (pages included) and answers,
// by query id, the start of the newest minute with a positive value (absent: none in the window).
func readLatest(ctx context.Context, r *region, queries []metricQuery, from, to time.Time) (map[string]time.Time, error) {
	latest := map[string]time.Time{}
	for chunk := range slices.Chunk(queries, maxQueries) {
		in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: cwtypes.ScanByTimestampDescending}
		for _, q := range chunk {
			in.MetricDataQueries = append(in.MetricDataQueries, q.query)
		}
		pages := cloudwatch.NewGetMetricDataPaginator(r.clients.CloudWatch, in,
			func(o *cloudwatch.GetMetricDataPaginatorOptions) { o.StopOnDuplicateToken = true })
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("get metric data: %w", err)
			}
			for _, res := range out.MetricDataResults {
				id := aws.ToString(res.Id)
				for k, ts := range res.Timestamps {
					if k < len(res.Values) && res.Values[k] > 0 && ts.After(latest[id]) {
						latest[id] = ts
					}
				}
			}
		}
	}
	return latest, nil
}
