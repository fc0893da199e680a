package reconcile

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// Action is what a pass did, or under a dry run would do, to one resource. The set is closed.
type Action string

// The actions. Keep is a removed data-bearing resource left in place by its deletion policy.
const (
	ActionCreate   Action = "create"
	ActionUpdate   Action = "update"
	ActionDelete   Action = "delete"
	ActionNoop     Action = "noop"
	ActionConflict Action = "conflict"
	ActionKeep     Action = "keep"
)

// Actions lists every action, in the order a summary counts them.
var Actions = []Action{ActionCreate, ActionUpdate, ActionDelete, ActionConflict, ActionKeep, ActionNoop}

// Word is the action as people read it on an output line or in a log: past tense once applied
// (created, updated, deleted, kept), the plan's own word under a dry run (create, update, delete,
// keep). A noop reads "unchanged" and a conflict "conflict" either way.
func (a Action) Word(dryRun bool) string {
	switch a {
	case ActionNoop:
		return "unchanged"
	case ActionConflict:
		return "conflict"
	}
	if dryRun {
		return string(a)
	}
	switch a {
	case ActionCreate:
		return "created"
	case ActionUpdate:
		return "updated"
	case ActionDelete:
		return "deleted"
	case ActionKeep:
		return "kept"
	}
	return string(a)
}

// Writes reports whether the action changes AWS: a create, an update or a delete.
func (a Action) Writes() bool {
	return a == ActionCreate || a == ActionUpdate || a == ActionDelete
}

// ResourceState is an observed condition worth reporting on a resource's line.
type ResourceState string

// The states a Change reports.
const (
	// A subscription whose subscriber has not confirmed it yet: a state, not an error, and not
	// re-sent on every pass.
	StatePendingConfirmation ResourceState = "PendingConfirmation"
	StateConfirmed           ResourceState = "Confirmed"
	// A trail that is, or is not, logging.
	StateLogging    ResourceState = "logging"
	StateNotLogging ResourceState = "not logging"
)

// FieldChange is one field that differs between the desired and the actual resource, named by its
// spec path, with both values as the output prints them.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// String is how a change reads on an output line and in a log: `threshold 50 → 10`, an empty
// value shown as "".
func (f FieldChange) String() string {
	return f.Field + " " + quoteEmpty(f.From) + " → " + quoteEmpty(f.To)
}

// FormatFieldChanges joins changes for one line: `threshold 50 → 10, period 60 → 300`.
func FormatFieldChanges(fc []FieldChange) string {
	parts := make([]string, len(fc))
	for i, f := range fc {
		parts[i] = f.String()
	}
	return strings.Join(parts, ", ")
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// Change is one resource's line in a pass: its stable id (Kind/name), the action, and the fields
// that moved. Applied is false under a dry run and for an action whose write failed (Err set).
type Change struct {
	ID      string
	Kind    Kind
	Name    string
	Monitor string
	// Region is set for a resource outside the controller's default region: ids are unique only
	// within a region.
	Region  string
	Action  Action
	Applied bool
	Changes []FieldChange
	// State is the resource's observed state worth reporting (a subscription awaiting
	// confirmation, a trail not logging).
	State ResourceState
	// Message explains a conflict, an adoption or a kept resource.
	Message string
	Err     error
}

// Line is the change as one line of text output, starting with the resource's id:
// "Alarm/x updated: threshold 50 → 10", "Alarm/x updated in us-east-1: …" outside the default
// region, "Subscription/… unchanged (PendingConfirmation)", or for a failed write
// "Alarm/x update failed: …". The words are Action.Word's.
func (c Change) Line(dryRun bool) string {
	var b strings.Builder
	b.WriteString(c.ID + " ")
	if c.Err != nil {
		b.WriteString(string(c.Action) + " failed")
	} else {
		b.WriteString(c.Action.Word(dryRun))
	}
	if c.Region != "" {
		b.WriteString(" in " + c.Region)
	}
	if c.State != "" {
		b.WriteString(" (" + string(c.State) + ")")
	}
	var details []string
	if len(c.Changes) > 0 {
		details = append(details, FormatFieldChanges(c.Changes))
	}
	if c.Message != "" {
		details = append(details, c.Message)
	}
	if c.Err != nil {
		details = append(details, c.Err.Error())
	}
	if len(details) > 0 {
		b.WriteString(": " + strings.Join(details, "; "))
	}
	return b.String()
}

// newChange is the line of a resource of a Monitor, with no action decided yet.
func newChange(ref Ref, monitor string) Change {
	return Change{ID: ref.String(), Kind: ref.Kind, Name: ref.Name, Monitor: monitor}
}

// Ref is the resource the change is about.
func (c Change) Ref() Ref { return Ref{Kind: c.Kind, Name: c.Name} }

// Warning is a condition that keeps a pipeline from alerting even when everything is in sync, or
// that kmswatch may not fix (no confirmed subscriber, alarm actions disabled, a foreign trail that
// drops KMS events), or a spec warning. It keeps its structure from where it is found to /status.
type Warning struct {
	// ID is the resource the warning is about ("Topic/alerts"), or the Monitor ("Monitor/name")
	// for a spec warning.
	ID string `json:"id"`
	// Region is set outside the controller's default region.
	Region string `json:"region,omitempty"`
	// Field is the spec field path a spec warning is about (spec.alarms[0].period).
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// String is the warning on one line: "Topic/alerts: no confirmed subscription: …".
func (w Warning) String() string {
	s := w.ID
	if w.Region != "" {
		s += " in " + w.Region
	}
	if w.Field != "" {
		s += ": " + w.Field
	}
	return s + ": " + w.Message
}

// Result is the outcome of one pass over every Monitor.
type Result struct {
	Changes []Change
	// Warnings include one per Contest.
	Warnings []Warning
	// Contests are the Monitors whose resources another kmswatch writes with another spec.
	Contests []Contest
	// Pipelines judge, per Monitor of the file that could be observed (in file order), whether
	// its chain delivers.
	Pipelines []pipeline.Report
	// Calls counts the AWS API calls the pass made, keyed "service:Operation".
	Calls map[string]int
	// CallsByRegion splits Calls by the region the calls went to; a region without calls is absent.
	CallsByRegion map[string]map[string]int
	Started       time.Time
	Duration      time.Duration
}

// Pending reports whether the pass would change, or changed, anything: a create, update or delete.
func (r *Result) Pending() bool {
	if r == nil {
		return false
	}
	for _, c := range r.Changes {
		if c.Action.Writes() {
			return true
		}
	}
	return false
}

// Failed reports whether any resource could not converge — a failed write or a conflict — or a
// Monitor's pipeline is broken (a delivery error, an unusable trail key, the switch in ALARM).
func (r *Result) Failed() bool {
	if r == nil {
		return false
	}
	for _, c := range r.Changes {
		if c.Err != nil || c.Action == ActionConflict {
			return true
		}
	}
	return r.PipelineBroken()
}

// PipelineBroken reports whether some Monitor's pipeline is broken.
func (r *Result) PipelineBroken() bool {
	return r != nil && slices.ContainsFunc(r.Pipelines, pipeline.Report.Broken)
}

// Outcome is how a pass ended, in the terms a CI job acts on (the command line maps each to its
// exit code).
type Outcome int

// The outcomes.
const (
	OutcomeInSync  Outcome = iota // in sync: converged after applying, or nothing to do
	OutcomeFailed                 // could not converge (an AWS or network error, a failed write, a conflict), or a pipeline is broken
	OutcomePending                // a dry run found changes pending
	OutcomeInvalid                // the configuration itself is wrong
)

func (o Outcome) String() string {
	switch o {
	case OutcomeInSync:
		return "in sync"
	case OutcomeFailed:
		return "failed"
	case OutcomePending:
		return "pending"
	case OutcomeInvalid:
		return "invalid"
	}
	return "unknown"
}

// Classify is the Outcome of a pass that returned r and err: invalid when err is a TerminalError
// marked Invalid, failed on any other error, on a failed or conflicting resource or on a broken
// pipeline, pending when a dry run would change something, else in sync.
func Classify(r *Result, err error, dryRun bool) Outcome {
	var te *TerminalError
	switch {
	case errors.As(err, &te) && te.Invalid:
		return OutcomeInvalid
	case err != nil, r.Failed():
		return OutcomeFailed
	case dryRun && r.Pending():
		return OutcomePending
	}
	return OutcomeInSync
}
