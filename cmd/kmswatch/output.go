package main

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// Exit codes, the contract CI users rely on.
const (
	exitOK      = 0 // in sync (after applying), or valid
	exitFailed  = 1 // could not converge (AWS or network errors, conflicts), or a pipeline is broken
	exitPending = 2 // --dry-run only: changes pending
	exitInvalid = 3 // invalid configuration or usage
)

// exitCodes map a pass's outcome to the exit code of --once.
var exitCodes = map[reconcile.Outcome]int{
	reconcile.OutcomeInSync:  exitOK,
	reconcile.OutcomeFailed:  exitFailed,
	reconcile.OutcomePending: exitPending,
	reconcile.OutcomeInvalid: exitInvalid,
}

// exitCode is the exit code of a --once pass.
func exitCode(r *reconcile.Result, err error, dryRun bool) int {
	return exitCodes[reconcile.Classify(r, err, dryRun)]
}

// writeText prints one line per resource (reconcile.Change.Line), then one line per Monitor saying
// whether its pipeline delivers (pipeline.Report.Line): "Pipeline/lab live (last event 3m ago,
// heartbeat OK)".
func writeText(w io.Writer, r *reconcile.Result, dryRun bool) error {
	if r == nil {
		return nil
	}
	var b strings.Builder
	for _, c := range r.Changes {
		b.WriteString(c.Line(dryRun) + "\n")
	}
	for _, p := range r.Pipelines {
		b.WriteString(p.Line(passEnd(r)) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// passEnd is when the pass ended, by the controller's clock: what "3m ago" counts from.
func passEnd(r *reconcile.Result) time.Time { return r.Started.Add(r.Duration) }

// writeWarnings prints the pass's warnings, one line each; they belong on stderr.
func writeWarnings(w io.Writer, r *reconcile.Result) error {
	if r == nil {
		return nil
	}
	var b strings.Builder
	for _, x := range r.Warnings {
		b.WriteString("warning: " + x.String() + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonChange is the wire form of a Change, one JSON line per resource per pass. The key order is
// the one users' tools rely on: id, kind, name, action, applied, changes.
type jsonChange struct {
	ID      string                  `json:"id"`
	Kind    string                  `json:"kind"`
	Name    string                  `json:"name"`
	Action  reconcile.Action        `json:"action"`
	Applied bool                    `json:"applied"`
	Changes []reconcile.FieldChange `json:"changes,omitempty"`
	Monitor string                  `json:"monitor,omitempty"`
	Region  string                  `json:"region,omitempty"`
	State   string                  `json:"state,omitempty"`
	Message string                  `json:"message,omitempty"`
	Error   string                  `json:"error,omitempty"`
}

// jsonPipeline is the wire form of a Monitor's pipeline, one JSON line per Monitor after the
// resources': {"id":"Pipeline/lab","kind":"Pipeline","name":"lab","status":"live",…}. It has no
// action: it is not a resource.
type jsonPipeline struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
	pipeline.Report
}

// writeJSON prints one JSON object per resource per line:
// {"id":"Alarm/x","kind":"Alarm","name":"x","action":"update","applied":true,"changes":[{"field":"threshold","from":"50","to":"10"}]}
// with monitor, region (outside the default region), state, message and error added when set.
// applied is false under dryRun. Then one jsonPipeline per Monitor.
func writeJSON(w io.Writer, r *reconcile.Result, dryRun bool) error {
	if r == nil {
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range r.Changes {
		j := jsonChange{ID: c.ID, Kind: string(c.Kind), Name: c.Name, Action: c.Action, Applied: c.Applied && !dryRun,
			Changes: c.Changes, Monitor: c.Monitor, Region: c.Region, State: string(c.State), Message: c.Message}
		if c.Err != nil {
			j.Error = c.Err.Error()
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	for _, p := range r.Pipelines {
		if err := enc.Encode(jsonPipeline{ID: "Pipeline/" + p.Monitor, Kind: "Pipeline", Name: p.Monitor, Report: p}); err != nil {
			return err
		}
	}
	return nil
}
