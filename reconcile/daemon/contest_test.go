package daemon

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
)

// scripted is a Reconciler that answers each pass with the next of its results.
type scripted struct{ results []*reconcile.Result }

func (s *scripted) Reconcile(context.Context, []spec.Monitor, bool) (*reconcile.Result, error) {
	r := s.results[0]
	s.results = s.results[1:]
	return r, nil
}

// TestContestIsNotDrift: a write to a contested resource is not a drift repair (neither in
// kmswatch_drift_repaired_total nor in /status), kmswatch_contested_resources counts the
// contested resources per Monitor (0 for an uncontested one), and /status carries the contest
// and its warning.
func TestContestIsNotDrift(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitor.yaml")
	if err := os.WriteFile(path, []byte(specYAML("m", "a=1")), 0o644); err != nil {
		t.Fatal(err)
	}
	alarm := func(act reconcile.Action) reconcile.Change {
		return reconcile.Change{ID: "Alarm/a", Kind: reconcile.KindAlarm, Name: "a", Monitor: "m", Action: act, Applied: true}
	}
	contest := reconcile.Contest{Monitor: "m", Resources: []string{"Alarm/a"},
		Mine: reconcile.Marker{Instance: "host-a", Digest: "aaaa"}, Theirs: reconcile.Marker{Instance: "host-b", Digest: "bbbb"}}
	rec := &scripted{results: []*reconcile.Result{
		{Changes: []reconcile.Change{alarm(reconcile.ActionCreate)}},
		{Changes: []reconcile.Change{alarm(reconcile.ActionUpdate)}, Contests: []reconcile.Contest{contest}, Warnings: []reconcile.Warning{contest.Warning()}},
		{Changes: []reconcile.Change{alarm(reconcile.ActionUpdate)}},
	}}
	d, err := New(Options{SpecPath: path, Load: loadTestSpec, Reconciler: rec})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	ctx := context.Background()
	metric := func(series string) string {
		_, body := get(t, srv.URL+"/metrics")
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, series+" ") {
				return strings.TrimPrefix(line, series+" ")
			}
		}
		return "absent"
	}

	for range 2 { // converge, then a write to the contested alarm
		if _, err := d.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := metric(`kmswatch_drift_repaired_total{kind="Alarm"}`); got != "0" {
		t.Errorf("a write in a contest counted as drift repaired: %s", got)
	}
	if got := metric(`kmswatch_contested_resources{monitor="m"}`); got != "1" {
		t.Errorf("kmswatch_contested_resources{monitor=\"m\"} = %s, want 1", got)
	}
	st := d.Status()
	if len(st.Contests) != 1 || st.Contests[0].Theirs.Digest != "bbbb" || st.Resources[0].LastChange == nil || st.Resources[0].LastChange.Drift {
		t.Errorf("/status: contests %+v, alarm %+v", st.Contests, st.Resources[0].LastChange)
	}
	if !strings.Contains(st.Warnings[len(st.Warnings)-1].Message, "another kmswatch") {
		t.Errorf("/status warnings: %+v", st.Warnings)
	}

	if _, err := d.Once(ctx); err != nil { // the contest is over; the next write is drift again
		t.Fatal(err)
	}
	if got := metric(`kmswatch_drift_repaired_total{kind="Alarm"}`); got != "1" {
		t.Errorf("drift after the contest: kmswatch_drift_repaired_total = %s, want 1", got)
	}
	if got := metric(`kmswatch_contested_resources{monitor="m"}`); got != "0" {
		t.Errorf("kmswatch_contested_resources{monitor=\"m\"} = %s after the contest, want 0", got)
	}
	if st := d.Status(); len(st.Contests) != 0 || !st.Resources[0].LastChange.Drift {
		t.Errorf("/status after the contest: %+v, %+v", st.Contests, st.Resources[0].LastChange)
	}
}
