package daemon

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// Pass results, the values of kmswatch_reconcile_total's result label.
const (
	ResultSuccess  = "success"  // converged (or, under --dry-run, planned) without error
	ResultConflict = "conflict" // completed, but some resource exists and is not ours
	ResultError    = "error"    // an AWS or network error stopped part of the pass
)

// Resource states reported by kmswatch_resources{state} and /status.
const (
	StateInSync              = "InSync"
	StateDrifted             = "Drifted" // --dry-run only: a change is pending
	StatePendingConfirmation = string(reconcile.StatePendingConfirmation)
	StateConflict            = "Conflict"
	StateKept                = "Kept"
	StateDeleted             = "Deleted"
	StateFailed              = "Failed"
	// The heartbeat's switch, not created until the first heartbeat arrives.
	StateAwaitingHeartbeat = "AwaitingHeartbeat"
)

// Metrics are the daemon's Prometheus series, on a registry of their own (never the global
// default one, so that tests and embedders get exactly these series and nothing registered
// behind their back).
//
// kmswatch_drift_repaired_total{kind} counts resources that a pass created or updated although
// the spec in force was the one the account had already been converged to by an earlier pass of
// this process: someone changed or deleted them behind kmswatch's back, and kmswatch put them
// back. Changes made to roll out a new or edited spec (the first pass, the passes after an edit
// until one succeeds) are not drift; they are counted in kmswatch_changes_applied_total only. Nor
// is a write to a resource that another kmswatch instance writes with another spec (a
// reconcile.Contest): that is a fight, counted by kmswatch_contested_resources{monitor}.
type Metrics struct {
	Registry *prometheus.Registry

	passes        *prometheus.CounterVec
	duration      prometheus.Histogram
	awsRequests   *prometheus.CounterVec
	awsDuration   *prometheus.HistogramVec
	driftRepaired *prometheus.CounterVec
	changes       *prometheus.CounterVec
	resources     *prometheus.GaugeVec
	subsPending   prometheus.Gauge
	lastSuccess   prometheus.Gauge
	specReloads   *prometheus.CounterVec
	contested     *prometheus.GaugeVec
	pipelineLive  *prometheus.GaugeVec
	lastEventAge  *prometheus.GaugeVec
	heartbeats    *prometheus.CounterVec
}

// NewMetrics creates the series on a new registry, with the Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kmswatch_reconcile_total",
			Help: "Reconcile passes by result: success, conflict or error.",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "kmswatch_reconcile_duration_seconds",
			Help:    "Duration of reconcile passes.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120},
		}),
		awsRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kmswatch_aws_requests_total",
			Help: "AWS API calls by service, operation and outcome (OK or the AWS error code).",
		}, []string{"service", "operation", "code"}),
		awsDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kmswatch_aws_request_duration_seconds",
			Help:    "Duration of AWS API calls, retries included.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"service", "operation"}),
		driftRepaired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kmswatch_drift_repaired_total",
			Help: "Resources created or updated to undo a change made outside kmswatch, while the spec in force was already converged.",
		}, []string{"kind"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kmswatch_changes_applied_total",
			Help: "Changes applied to resources, by kind and action (create, update, delete).",
		}, []string{"kind", "action"}),
		resources: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kmswatch_resources",
			Help: "Resources of the spec in force after the last pass, by kind and state.",
		}, []string{"kind", "state"}),
		subsPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kmswatch_subscriptions_pending",
			Help: "Subscriptions waiting for their endpoint to confirm (PendingConfirmation).",
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kmswatch_last_success_timestamp_seconds",
			Help: "Unix time at which the last successful pass ended; 0 before the first.",
		}),
		specReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kmswatch_spec_reloads_total",
			Help: "Spec file changes seen, by result: applied or rejected (the edit did not load).",
		}, []string{"result"}),
		contested: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kmswatch_contested_resources",
			Help: "Resources of a Monitor that another kmswatch instance writes with another spec of it, after the last pass; writes to them back off.",
		}, []string{"monitor"}),
	}
	m.pipelineLive = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kmswatch_pipeline_live",
		Help: "1 when the last pass judged the Monitor's pipeline live (events arrive, no delivery error, the heartbeat's switch not in ALARM), else 0.",
	}, []string{"monitor"})
	m.lastEventAge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kmswatch_pipeline_last_event_age_seconds",
		Help: "How long before the last pass an event last reached the Monitor's log group, when known.",
	}, []string{"monitor"})
	m.heartbeats = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kmswatch_heartbeats_total",
		Help: "Heartbeat calls (kms:ListAliases) by result: success or error.",
	}, []string{"result"})
	m.Registry.MustRegister(m.passes, m.duration, m.awsRequests, m.awsDuration, m.driftRepaired,
		m.changes, m.resources, m.subsPending, m.lastSuccess, m.specReloads, m.contested, m.pipelineLive, m.lastEventAge, m.heartbeats,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.startAtZero()
	return m
}

// startAtZero makes the series with a known, closed label set present at 0 before they move
// (rate() and alert rules need the series to exist).
func (m *Metrics) startAtZero() {
	for _, r := range []string{ResultSuccess, ResultConflict, ResultError} {
		m.passes.WithLabelValues(r)
	}
	for _, k := range reconcile.Kinds {
		m.driftRepaired.WithLabelValues(string(k))
	}
	for _, r := range []string{"applied", "rejected"} {
		m.specReloads.WithLabelValues(r)
	}
	for _, r := range []string{"success", "error"} {
		m.heartbeats.WithLabelValues(r)
	}
}

// observePipelines sets each Monitor's pipeline series from the pass's judgement, dropping those
// of Monitors no longer judged.
func (m *Metrics) observePipelines(res *reconcile.Result, end time.Time) {
	m.pipelineLive.Reset()
	m.lastEventAge.Reset()
	for _, p := range res.Pipelines {
		live := 0.0
		if p.Status == pipeline.StatusLive {
			live = 1
		}
		m.pipelineLive.WithLabelValues(p.Monitor).Set(live)
		if p.LastEvent != nil {
			m.lastEventAge.WithLabelValues(p.Monitor).Set(end.Sub(*p.LastEvent).Seconds())
		}
	}
}

func (m *Metrics) observeHeartbeat(ok bool) {
	if ok {
		m.heartbeats.WithLabelValues("success").Inc()
	} else {
		m.heartbeats.WithLabelValues("error").Inc()
	}
}

// ObserveAWSCall records one AWS API call; code is empty for a success. Its signature is that of
// awsclient.Options.OnCall.
func (m *Metrics) ObserveAWSCall(service, operation, code string, d time.Duration) {
	if code == "" {
		code = "OK"
	}
	m.awsRequests.WithLabelValues(service, operation, code).Inc()
	m.awsDuration.WithLabelValues(service, operation).Observe(d.Seconds())
}

// observePass records a finished pass. drift says whether the spec in force had already been
// converged, which makes every create and update a repair of drift.
func (m *Metrics) observePass(res *reconcile.Result, result string, d time.Duration, end time.Time, drift, dryRun bool) {
	m.passes.WithLabelValues(result).Inc()
	m.duration.Observe(d.Seconds())
	if result != ResultError {
		m.lastSuccess.Set(float64(end.UnixNano()) / 1e9)
	}
	if res == nil || (result == ResultError && len(res.Changes) == 0) {
		return // a pass that failed before it saw anything says nothing about the resources
	}
	m.observePipelines(res, end)
	m.resources.Reset()
	pending := 0
	fight := contestedIDs(res)
	for _, c := range res.Changes {
		state := resourceState(c, dryRun)
		m.resources.WithLabelValues(string(c.Kind), state).Inc()
		if state == StatePendingConfirmation {
			pending++
		}
		if !c.Applied || c.Err != nil {
			continue
		}
		switch c.Action {
		case reconcile.ActionCreate, reconcile.ActionUpdate:
			m.changes.WithLabelValues(string(c.Kind), string(c.Action)).Inc()
			if drift && !fight[c.Region+"|"+c.ID] {
				m.driftRepaired.WithLabelValues(string(c.Kind)).Inc()
			}
		case reconcile.ActionDelete:
			m.changes.WithLabelValues(string(c.Kind), string(c.Action)).Inc()
		}
	}
	m.subsPending.Set(float64(pending))
}

// observeContests sets kmswatch_contested_resources for every Monitor of the spec in force (0
// when uncontested, so that the series exist for alert rules) from a pass that saw the resources.
func (m *Metrics) observeContests(monitors []string, res *reconcile.Result) {
	m.contested.Reset()
	for _, name := range monitors {
		m.contested.WithLabelValues(name)
	}
	for _, c := range res.Contests {
		m.contested.WithLabelValues(c.Monitor).Add(float64(len(c.Resources)))
	}
}

// contestedIDs are the resources of a pass's contests, keyed "region|id" as Changes name them.
func contestedIDs(res *reconcile.Result) map[string]bool {
	out := map[string]bool{}
	for _, c := range res.Contests {
		for _, id := range c.Resources {
			out[c.Region+"|"+id] = true
		}
	}
	return out
}

func (m *Metrics) observeReload(applied bool) {
	if applied {
		m.specReloads.WithLabelValues("applied").Inc()
	} else {
		m.specReloads.WithLabelValues("rejected").Inc()
	}
}

// resourceState is how one line of a pass leaves its resource.
func resourceState(c reconcile.Change, dryRun bool) string {
	switch {
	case c.Err != nil:
		return StateFailed
	case c.Action == reconcile.ActionConflict:
		return StateConflict
	case c.Action == reconcile.ActionKeep:
		return StateKept
	case c.State == reconcile.StatePendingConfirmation:
		return StatePendingConfirmation
	case c.State == reconcile.StateAwaitingHeartbeat:
		return StateAwaitingHeartbeat
	case dryRun && c.Action != reconcile.ActionNoop:
		return StateDrifted
	case c.Action == reconcile.ActionDelete:
		return StateDeleted
	default:
		return StateInSync
	}
}
