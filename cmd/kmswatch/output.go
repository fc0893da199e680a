package main

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile"
)

// Exit codes, the contract CI users rely on.
const (
	exitOK      = 0 // in sync (after applying), or valid
	exitFailed  = 1 // could not converge: AWS or network errors, or conflicts
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

// writeText prints one line per resource (reconcile.Change.Line).
func writeText(w io.Writer, r *reconcile.Result, dryRun bool) error {
	if r == nil {
		return nil
	}
	var b strings.Builder
	for _, c := range r.Changes {
		b.WriteString(c.Line(dryRun) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

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

// writeJSON prints one JSON object per resource per line:
// {"id":"Alarm/x","kind":"Alarm","name":"x","action":"update","applied":true,"changes":[{"field":"threshold","from":"50","to":"10"}]}
// with monitor, region (outside the default region), state, message and error added when set.
// applied is false under dryRun.
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
	return nil
}
