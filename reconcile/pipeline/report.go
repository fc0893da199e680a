package pipeline

import (
	"fmt"
	"strings"
	"time"
)

// Status is how a Monitor's pipeline stands.
type Status string

// The statuses. Broken makes `kmswatch --once` exit 1; stale is a warning.
const (
	StatusLive    Status = "live"    // events arrive (or the switch is OK), no delivery error
	StatusStale   Status = "stale"   // a logging trail feeds the log group, but nothing arrived for staleAfter
	StatusBroken  Status = "broken"  // a current delivery error, an unusable trail key, or the switch in ALARM
	StatusUnknown Status = "unknown" // nothing proves it live yet, nothing says it is broken
)

// HeartbeatNotArmed is the switch's state before its alarm exists (see Armed).
const HeartbeatNotArmed = "not armed"

// Input is what a pass observed of one Monitor's pipeline.
type Input struct {
	Monitor, Region string
	// LogGroup is the log group's ARN (without ":*"); StaleAfter its spec.logGroup.staleAfter.
	LogGroup   string
	StaleAfter time.Duration
	// Trails are the Monitor's own trail and the trails delivering to its log group, each once.
	Trails []TrailStatus
	// LastEvent is the newest AWS/Logs IncomingLogEvents datapoint of the log group, when
	// EventsRead (zero: none in the Lookback); MetricsErr says why the metrics were not read.
	LastEvent  time.Time
	EventsRead bool
	Lookback   time.Duration
	MetricsErr string
	Heartbeat  *HeartbeatInput
}

// HeartbeatInput is what a pass observed of the Monitor's dead man's switch.
type HeartbeatInput struct {
	Alarm                 string // its name
	Namespace, MetricName string // its metric
	AlarmAfter            time.Duration
	AlarmExists           bool
	AlarmState            string // OK, ALARM, INSUFFICIENT_DATA, when it exists
	// LastArrived is the newest heartbeat datapoint when the metric was read (zero: none).
	LastArrived time.Time
	// FilterExists says the heartbeat's metric filter exists; FilterCreated is when AWS created it
	// (zero: unknown).
	FilterExists  bool
	FilterCreated time.Time
}

// Armed reports whether the switch's alarm may be created now: a heartbeat reached the log group
// within alarmAfter, so the new alarm starts OK; or the filter has existed for alarmAfter without
// one, and the alarm is created to fire, for a pipeline that never delivered.
func (h HeartbeatInput) Armed(now time.Time) bool {
	switch {
	case h.AlarmExists:
		return true
	case !h.LastArrived.IsZero() && now.Sub(h.LastArrived) < h.AlarmAfter:
		return true
	case !h.FilterCreated.IsZero() && now.Sub(h.FilterCreated) >= h.AlarmAfter:
		return true
	}
	return false
}

// Report is one Monitor's pipeline as a pass judged it: the --once Pipeline line, the /status
// pipeline object.
type Report struct {
	Monitor string `json:"monitor"`
	Region  string `json:"region,omitempty"`
	Status  Status `json:"status"`
	// LastEvent is when an event last reached the log group, as far as the pass could tell.
	LastEvent *time.Time `json:"lastEvent,omitempty"`
	Heartbeat *Heartbeat `json:"heartbeat,omitempty"`
	Problems  []Problem  `json:"problems,omitempty"`
}

// Heartbeat is the switch's state on a Report.
type Heartbeat struct {
	Alarm string `json:"alarm"`
	// State is the alarm's state (OK, ALARM, INSUFFICIENT_DATA) or HeartbeatNotArmed.
	State string `json:"state"`
	// LastSent is when this kmswatch last made its heartbeat call; SendError why it failed.
	LastSent  *time.Time `json:"lastSent,omitempty"`
	SendError string     `json:"sendError,omitempty"`
}

// Problem is one thing keeping the pipeline from delivering (Broken) or worth a warning.
type Problem struct {
	// ID is the resource it is about: Trail/name, LogGroup/name, Alarm/name.
	ID string `json:"id"`
	// Field is GetTrailStatus's field the error comes from, when it does.
	Field string `json:"field,omitempty"`
	// Error is AWS's text verbatim, or kmswatch's finding.
	Error  string `json:"error"`
	Fix    string `json:"fix,omitempty"`
	Broken bool   `json:"broken"`
}

// Message is the problem as one warning message: stable from pass to pass while it lasts.
func (p Problem) Message() string {
	s := p.Error
	if p.Field != "" {
		s = p.Field + " " + fmt.Sprintf("%q", p.Error)
	}
	if p.Fix != "" {
		s += ": " + p.Fix
	}
	return s
}

// Broken reports whether the pipeline cannot deliver.
func (r Report) Broken() bool { return r.Status == StatusBroken }

// Evaluate judges one Monitor's pipeline at now.
func Evaluate(in Input, now time.Time) Report {
	r := Report{Monitor: in.Monitor, Region: in.Region}
	for _, t := range in.Trails {
		r.Problems = append(r.Problems, trailProblems(t)...)
	}
	last := lastEvent(in)
	if !last.IsZero() {
		r.LastEvent = &last
	}
	fresh := !last.IsZero() && now.Sub(last) <= in.StaleAfter
	if in.MetricsErr != "" {
		r.Problems = append(r.Problems, Problem{ID: "LogGroup/" + groupName(in.LogGroup),
			Error: "cannot read AWS/Logs IncomingLogEvents: " + in.MetricsErr, Fix: "allow kmswatch cloudwatch:GetMetricData"})
	} else if p, stale := staleness(in, fresh, now); stale {
		r.Problems = append(r.Problems, p)
	}
	if h := in.Heartbeat; h != nil {
		r.Heartbeat = &Heartbeat{Alarm: h.Alarm, State: HeartbeatNotArmed}
		if h.AlarmExists {
			r.Heartbeat.State = h.AlarmState
		}
		if h.AlarmExists && h.AlarmState == "ALARM" {
			r.Problems = append(r.Problems, Problem{ID: "Alarm/" + h.Alarm, Broken: true,
				Error: fmt.Sprintf("the dead man's switch is in ALARM: no heartbeat reached log group %s in %s", groupName(in.LogGroup), formatDuration(h.AlarmAfter)),
				Fix:   "look for the break along the chain (kmswatch stopped, trail stopped or delivering elsewhere, KMS events excluded, role or log group broken, heartbeat filter deleted)"})
		}
	}
	r.Status = status(r, fresh)
	return r
}

func trailProblems(t TrailStatus) []Problem {
	var out []Problem
	for _, e := range t.CurrentErrors() {
		out = append(out, Problem{ID: "Trail/" + t.Name, Field: e.Field, Error: e.Text, Fix: e.Fix, Broken: true})
	}
	if text, fix := t.KeyProblem(); text != "" {
		out = append(out, Problem{ID: "Trail/" + t.Name, Error: text, Fix: fix, Broken: true})
	}
	if t.KMSKey != "" && t.KeyInfo.Err != "" {
		out = append(out, Problem{ID: "Trail/" + t.Name, Error: "cannot read the state of KMS key " + t.KMSKey + ": " + t.KeyInfo.Err,
			Fix: "allow kmswatch kms:DescribeKey on the trail's key"})
	}
	return out
}

// feeders are the logging trails that deliver to the Monitor's log group.
func feeders(in Input) []TrailStatus {
	var out []TrailStatus
	for _, t := range in.Trails {
		if t.Logging && t.Group == in.LogGroup {
			out = append(out, t)
		}
	}
	return out
}

// lastEvent is the newest sign of an event reaching the log group: the latest delivery to
// CloudWatch Logs of a trail set to deliver to it (logging now or not), or the newest
// IncomingLogEvents datapoint.
func lastEvent(in Input) time.Time {
	last := in.LastEvent
	for _, t := range in.Trails {
		if t.Group == in.LogGroup && t.CloudWatchLogsTime.After(last) {
			last = t.CloudWatchLogsTime
		}
	}
	return last
}

// staleness is the stale-log-group warning: a logging trail feeds the log group, and nothing
// arrived for staleAfter — unless every feeding trail started logging less than staleAfter ago,
// when the first delivery may still be on its way.
func staleness(in Input, fresh bool, now time.Time) (Problem, bool) {
	fs := feeders(in)
	if fresh || len(fs) == 0 {
		return Problem{}, false
	}
	var names []string
	young := true
	for _, t := range fs {
		names = append(names, t.Name)
		if t.StartedAt.IsZero() || now.Sub(t.StartedAt) > in.StaleAfter {
			young = false
		}
	}
	if young {
		return Problem{}, false
	}
	return Problem{ID: "LogGroup/" + groupName(in.LogGroup),
		Error: fmt.Sprintf("no event reached the log group in the last %s (staleAfter), although trail %s is logging to it", formatDuration(in.StaleAfter), strings.Join(names, ", ")),
		Fix:   "check the trail's event selectors and its delivery (GetTrailStatus); CloudTrail delivers within about 5 minutes"}, true
}

func status(r Report, fresh bool) Status {
	stale := false
	for _, p := range r.Problems {
		if p.Broken {
			return StatusBroken
		}
		if strings.HasPrefix(p.Error, "no event reached") {
			stale = true
		}
	}
	switch {
	case stale:
		return StatusStale
	case fresh, r.Heartbeat != nil && r.Heartbeat.State == "OK":
		return StatusLive
	}
	return StatusUnknown
}

// groupName is the log group's name from its ARN.
func groupName(arn string) string {
	if i := strings.Index(arn, ":log-group:"); i >= 0 {
		return arn[i+len(":log-group:"):]
	}
	return arn
}

// NeedsEvents reports whether the log group's AWS/Logs IncomingLogEvents must be read to judge its
// freshness: a logging trail feeds it, none of them delivered within staleAfter (their own
// LatestCloudWatchLogsDeliveryTime would prove it fresh for free), and not every one of them
// started logging just now.
func (in Input) NeedsEvents(now time.Time) bool {
	fs := feeders(in)
	if len(fs) == 0 {
		return false
	}
	if last := lastEvent(in); !last.IsZero() && now.Sub(last) <= in.StaleAfter {
		return false
	}
	for _, t := range fs {
		if t.StartedAt.IsZero() || now.Sub(t.StartedAt) > in.StaleAfter {
			return true
		}
	}
	return false
}

// NeedsMetric reports whether the heartbeat's metric must be read to tell whether the switch is
// armed: its alarm does not exist yet, its filter does, and the filter is not known to be older
// than alarmAfter (which arms it without a read).
func (h HeartbeatInput) NeedsMetric(now time.Time) bool {
	if h.AlarmExists || !h.FilterExists {
		return false
	}
	return h.FilterCreated.IsZero() || now.Sub(h.FilterCreated) < h.AlarmAfter
}
