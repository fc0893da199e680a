package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

// sampleResult holds one line of every kind the output can print.
func sampleResult(applied bool) *Result {
	r := &Result{Changes: []Change{
		{ID: "LogGroup/lg", Kind: KindLogGroup, Name: "lg", Monitor: "m", Action: ActionNoop, Applied: applied},
		{ID: "Trail/t", Kind: KindTrail, Name: "t", Monitor: "m", Action: ActionUpdate, Applied: applied,
			Changes: []FieldChange{{Field: "logging", From: "false", To: "true"}, {Field: "eventSelectors.excludeManagementEventSources", From: "[kms.amazonaws.com]", To: "[]"}}},
		{ID: "Topic/alerts", Kind: KindTopic, Name: "alerts", Monitor: "m", Action: ActionCreate, Applied: applied},
		{ID: "Subscription/alerts/email/a@example.com", Kind: KindSubscription, Name: "alerts/email/a@example.com", Monitor: "m",
			Action: ActionNoop, Applied: applied, State: "PendingConfirmation"},
		{ID: "Alarm/x", Kind: KindAlarm, Name: "x", Monitor: "m", Action: ActionUpdate, Applied: applied,
			Changes: []FieldChange{{Field: "threshold", From: "50", To: "10"}}},
		{ID: "Alarm/y", Kind: KindAlarm, Name: "y", Monitor: "m", Action: ActionConflict,
			Message: "exists and is not managed by kmswatch; set adopt: true to take it over"},
		{ID: "MetricFilter/lg/old", Kind: KindMetricFilter, Name: "lg/old", Monitor: "m", Action: ActionDelete, Applied: applied},
		{ID: "LogGroup/old", Kind: KindLogGroup, Name: "old", Monitor: "m", Action: ActionKeep, Applied: applied,
			Message: "removed from the monitor; kept by deletion policy Retain"},
	}}
	if applied {
		r.Changes = append(r.Changes, Change{ID: "Alarm/z", Kind: KindAlarm, Name: "z", Monitor: "m", Action: ActionCreate,
			Err: errors.New("put metric alarm z: api error Throttling: Rate exceeded")})
	}
	return r
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dryRun bool
	}{{"apply", false}, {"dryrun", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleResult(!tc.dryRun)
			var text, js bytes.Buffer
			if err := WriteText(&text, r, tc.dryRun); err != nil {
				t.Fatal(err)
			}
			golden(t, "output-"+tc.name+".txt.golden", text.Bytes())
			if err := WriteJSON(&js, r, tc.dryRun); err != nil {
				t.Fatal(err)
			}
			golden(t, "output-"+tc.name+".jsonl.golden", js.Bytes())
			// Every JSON line stands alone and carries the keys design.md promises.
			for _, line := range bytes.Split(bytes.TrimSpace(js.Bytes()), []byte("\n")) {
				var m map[string]any
				if err := json.Unmarshal(line, &m); err != nil {
					t.Fatalf("line %s: %v", line, err)
				}
				for _, k := range []string{"id", "kind", "name", "action", "applied"} {
					if _, ok := m[k]; !ok {
						t.Errorf("line %s lacks %q", line, k)
					}
				}
				if tc.dryRun && m["applied"] != false {
					t.Errorf("dry-run line applied: %s", line)
				}
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	noop := &Result{Changes: []Change{{Action: ActionNoop}, {Action: ActionKeep}}}
	pending := &Result{Changes: []Change{{Action: ActionNoop}, {Action: ActionUpdate}}}
	conflict := &Result{Changes: []Change{{Action: ActionConflict}}}
	failed := &Result{Changes: []Change{{Action: ActionCreate, Err: errors.New("x")}}}
	cases := []struct {
		name   string
		r      *Result
		err    error
		dryRun bool
		want   int
	}{
		{"in sync", noop, nil, false, 0},
		{"dry-run in sync", noop, nil, true, 0},
		{"dry-run pending", pending, nil, true, 2},
		{"applied", pending, nil, false, 0},
		{"conflict", conflict, nil, false, 1},
		{"dry-run conflict", conflict, nil, true, 1},
		{"failed write", failed, nil, false, 1},
		{"error", noop, errors.New("network"), false, 1},
		{"invalid config", nil, &TerminalError{Invalid: true, Err: errors.New("bad region")}, false, 3},
	}
	for _, tc := range cases {
		if got := ExitCode(tc.r, tc.err, tc.dryRun); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}
