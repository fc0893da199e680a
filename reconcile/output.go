package reconcile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// WriteText prints one line per resource, starting with its id: "Alarm/x updated: threshold 50 → 10",
// or "Alarm/x updated in us-east-1: …" outside the controller's default region.
// The words are created, updated, deleted, unchanged, conflict, kept — or, under dryRun, the plan's
// create, update, delete, unchanged, conflict, keep. A failed write reads "Alarm/x update failed: …".
func WriteText(w io.Writer, r *Result, dryRun bool) error {
	if r == nil {
		return nil
	}
	var b strings.Builder
	for _, c := range r.Changes {
		b.WriteString(c.ID)
		b.WriteByte(' ')
		if c.Err != nil {
			b.WriteString(string(c.Action))
			b.WriteString(" failed")
		} else {
			b.WriteString(actionWord(c.Action, dryRun))
		}
		if c.Region != "" {
			b.WriteString(" in " + c.Region)
		}
		if c.State != "" {
			fmt.Fprintf(&b, " (%s)", c.State)
		}
		var details []string
		if len(c.Changes) > 0 {
			details = append(details, formatChanges(c.Changes))
		}
		if c.Message != "" {
			details = append(details, c.Message)
		}
		if c.Err != nil {
			details = append(details, c.Err.Error())
		}
		if len(details) > 0 {
			b.WriteString(": ")
			b.WriteString(strings.Join(details, "; "))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteWarnings prints the pass's pipeline warnings, one line each; they belong on stderr.
func WriteWarnings(w io.Writer, r *Result) error {
	if r == nil {
		return nil
	}
	var b strings.Builder
	for _, x := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s: %s\n", x.ID, x.Message)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func actionWord(a Action, dryRun bool) string {
	if a == ActionNoop {
		return "unchanged"
	}
	if dryRun || a == ActionConflict {
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

func formatChanges(fc []FieldChange) string {
	parts := make([]string, len(fc))
	for i, f := range fc {
		parts[i] = f.Field + " " + quoteEmpty(f.From) + " → " + quoteEmpty(f.To)
	}
	return strings.Join(parts, ", ")
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// jsonChange is the wire form of a Change; its key order is design.md's.
type jsonChange struct {
	ID      string        `json:"id"`
	Kind    string        `json:"kind"`
	Name    string        `json:"name"`
	Action  Action        `json:"action"`
	Applied bool          `json:"applied"`
	Changes []FieldChange `json:"changes,omitempty"`
	Monitor string        `json:"monitor,omitempty"`
	Region  string        `json:"region,omitempty"`
	State   string        `json:"state,omitempty"`
	Message string        `json:"message,omitempty"`
	Error   string        `json:"error,omitempty"`
}

// WriteJSON prints one JSON object per resource per line:
// {"id":"Alarm/x","kind":"Alarm","name":"x","action":"update","applied":true,"changes":[{"field":"threshold","from":"50","to":"10"}]}
// with monitor, region (outside the default region), state, message and error added when set.
// applied is false under dryRun.
func WriteJSON(w io.Writer, r *Result, dryRun bool) error {
	if r == nil {
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range r.Changes {
		j := jsonChange{ID: c.ID, Kind: c.Kind, Name: c.Name, Action: c.Action, Applied: c.Applied && !dryRun,
			Changes: c.Changes, Monitor: c.Monitor, Region: c.Region, State: c.State, Message: c.Message}
		if c.Err != nil {
			j.Error = c.Err.Error()
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

// Exit codes of a --once pass (design.md "Command line").
const (
	ExitInSync  = 0
	ExitFailed  = 1
	ExitPending = 2
	ExitInvalid = 3
)

// ExitCode is the exit code of a --once pass: 1 when it could not converge (an error, a failed
// write or a conflict), 3 when the error is an invalid configuration (a TerminalError that is not an
// AWS error), 2 under dryRun when changes are pending, else 0.
func ExitCode(r *Result, err error, dryRun bool) int {
	if err != nil {
		var te *TerminalError
		if errors.As(err, &te) && te.Invalid {
			return ExitInvalid
		}
		return ExitFailed
	}
	if r == nil {
		return ExitInSync
	}
	pending := false
	for _, c := range r.Changes {
		switch {
		case c.Err != nil, c.Action == ActionConflict:
			return ExitFailed
		case c.Action == ActionCreate, c.Action == ActionUpdate, c.Action == ActionDelete:
			pending = true
		}
	}
	if dryRun && pending {
		return ExitPending
	}
	return ExitInSync
}
