package reconcile

import (
	"context"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// observePipelines judges the pipeline of each of the region's Monitors once every kind has been
// observed (pipeline.Judge), filling each Monitor's Actual.Pipeline and Actual.HeartbeatArmed.
func observePipelines(ctx context.Context, o *observer, now time.Time) {
	inputs := make([]*pipeline.Input, len(o.wants))
	for i, w := range o.wants {
		if w.LogGroup != nil { // a Monitor pruned from elsewhere has nothing to judge
			in := pipelineInput(w, &o.gots[i])
			inputs[i] = &in
		}
	}
	reports, armed := pipeline.Judge(ctx, o.r.clients.CloudWatch, inputs, now)
	for i := range inputs {
		o.gots[i].Pipeline, o.gots[i].HeartbeatArmed = reports[i], armed[i]
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
		h := &pipeline.HeartbeatInput{Alarm: hs.Name, Namespace: hs.Namespace, MetricName: hs.MetricName, AlarmAfter: hs.AlarmAfter}
		if a := findByName(got.Alarms, hs.Name, func(a Alarm) string { return a.Name }); a != nil {
			h.AlarmExists, h.AlarmState = true, a.State
		}
		for _, f := range got.Filters {
			if f.LogGroup == w.LogGroup.Name && f.Name == hs.Name {
				h.FilterExists, h.FilterCreated = true, f.Created
			}
		}
		in.Heartbeat = h
	}
	return in
}
