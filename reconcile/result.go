package reconcile

import "time"

// Action is what a pass did, or under --dry-run would do, to one resource. The set is closed.
type Action string

// The actions. Noop is printed "unchanged"; Keep is a removed data-bearing resource left in place.
const (
	ActionCreate   Action = "create"
	ActionUpdate   Action = "update"
	ActionDelete   Action = "delete"
	ActionNoop     Action = "noop"
	ActionConflict Action = "conflict"
	ActionKeep     Action = "keep"
)

// Kinds of resource, the first part of a resource id.
const (
	KindTrail        = "Trail"
	KindLogGroup     = "LogGroup"
	KindMetricFilter = "MetricFilter"
	KindAlarm        = "Alarm"
	KindTopic        = "Topic"
	KindSubscription = "Subscription"
)

// FieldChange is one field that differs between desired and actual state.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Change is one resource's line in a pass: its stable id (Kind/name), the action, and the fields
// that moved. Applied is false under --dry-run and for an action whose write failed (Err set).
type Change struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Monitor string `json:"monitor,omitempty"`
	// Region is set for a resource outside the controller's default region: ids are unique
	// only within a region.
	Region  string        `json:"region,omitempty"`
	Action  Action        `json:"action"`
	Applied bool          `json:"applied"`
	Changes []FieldChange `json:"changes,omitempty"`
	// State is a resource's observed state worth reporting, e.g. "PendingConfirmation" for a
	// subscription not yet confirmed, or "logging" for a trail.
	State string `json:"state,omitempty"`
	// Message explains a conflict or a kept resource.
	Message string `json:"message,omitempty"`
	Err     error  `json:"-"`
}

// Warning is a pipeline-health condition that matters even when everything is in sync, or that
// kmswatch is not allowed to fix (no confirmed subscriber, actions disabled, a foreign trail that
// excludes KMS events from the log group).
type Warning struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// Result is the outcome of one pass over every Monitor.
type Result struct {
	Changes  []Change
	Warnings []Warning
	// Calls counts the AWS API calls the pass made, keyed "service:Operation".
	Calls map[string]int
	// CallsByRegion splits Calls by the region the calls went to; a region without calls is absent.
	CallsByRegion map[string]map[string]int
	Started       time.Time
	Duration      time.Duration
}
