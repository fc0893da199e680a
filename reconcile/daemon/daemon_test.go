package daemon

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/reconcile"
)

// syncBuffer is a log sink that tests read while the daemon writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type harness struct {
	t       *testing.T
	dir     string
	path    string
	account *fakeAccount
	d       *Daemon
	logs    *syncBuffer
	cancel  context.CancelFunc
	done    chan error
}

// startDaemon writes content to a spec file and runs a daemon on it until the test ends.
func startDaemon(t *testing.T, content string, tweak func(*Options)) *harness {
	t.Helper()
	return startDaemonOn(t, newFakeAccount(), content, tweak)
}

func startDaemonOn(t *testing.T, account *fakeAccount, content string, tweak func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), account: account, logs: &syncBuffer{}, done: make(chan error, 1)}
	h.path = filepath.Join(h.dir, "monitor.yaml")
	h.write(content)
	log, flush, err := testLogger(h.logs)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		SpecPath: h.path, Load: loadTestSpec, Reconciler: h.account, Log: log,
		Interval: time.Hour, PollInterval: 20 * time.Millisecond,
		BackoffBase: 20 * time.Millisecond, BackoffCap: time.Hour,
	}
	if tweak != nil {
		tweak(&opts)
	}
	h.d, err = New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-h.done
		flush()
		if t.Failed() {
			t.Logf("daemon logs:\n%s", h.logs.String())
		}
	})
	return h
}

func (h *harness) write(content string) {
	h.t.Helper()
	if err := os.WriteFile(h.path, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func TestFirstPassAtOnceThenDriftRepairedWithinOneInterval(t *testing.T) {
	h := startDaemon(t, specYAML("m", "a=10", "b=5"), func(o *Options) { o.Interval = 150 * time.Millisecond })
	eventually(t, 5*time.Second, "first pass creates both alarms", func() bool {
		_, a := h.account.alarm("Alarm/a")
		_, b := h.account.alarm("Alarm/b")
		return a && b
	})
	eventually(t, 5*time.Second, "ready after the first pass", h.d.status.ready)

	h.account.drift("Alarm/a", "99") // someone raised the threshold
	h.account.drift("Alarm/b", "")   // someone deleted the alarm
	passesAtDrift := h.account.passCount()
	var passesAtRepair int
	eventually(t, 5*time.Second, "drift repaired", func() bool {
		a, _ := h.account.alarm("Alarm/a")
		_, b := h.account.alarm("Alarm/b")
		passesAtRepair = h.account.passCount()
		return a == "10" && b
	})
	// The next resync repairs it: nothing else triggers a pass here (the spec does not change),
	// and TestResyncWait proves a resync never waits longer than the interval. One pass may
	// have been under way when the drift was made, so the repair is by the first or second.
	if n := passesAtRepair - passesAtDrift; n > 2 {
		t.Errorf("drift repaired %d passes after it was made, want the next resync", n)
	}
	st := h.d.Status()
	var sawDrift bool
	for _, r := range st.Resources {
		if r.ID == "Alarm/a" && r.LastChange != nil && r.LastChange.Drift && r.LastChange.Action == "update" {
			sawDrift = true
		}
	}
	if !sawDrift {
		t.Errorf("status does not show Alarm/a's drift repair: %+v", st.Resources)
	}
	if !strings.Contains(h.logs.String(), `"id":"Alarm/a"`) || !strings.Contains(h.logs.String(), `threshold 99 → 10`) {
		t.Errorf("no change line naming Alarm/a and its moved field in the logs")
	}
}

func TestSpecEditsTriggerAPass(t *testing.T) {
	cases := []struct {
		name string
		edit func(h *harness, content string)
	}{
		{"plain write", func(h *harness, content string) { h.write(content) }},
		{"atomic rename", func(h *harness, content string) {
			tmp := filepath.Join(h.dir, ".monitor.yaml.tmp")
			if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, h.path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startDaemon(t, specYAML("m", "a=10"), nil)
			eventually(t, 5*time.Second, "first pass", func() bool { return h.account.passCount() == 1 })
			start := time.Now()
			tc.edit(h, specYAML("m", "a=10", "c=3"))
			eventually(t, 5*time.Second, "edit applied", func() bool { _, ok := h.account.alarm("Alarm/c"); return ok })
			t.Logf("%s applied after %v", tc.name, time.Since(start))
		})
	}
}

// TestSymlinkSwap follows what a Kubernetes ConfigMap volume does: monitor.yaml links to
// ..data/monitor.yaml, ..data links to a timestamped directory, and an update points ..data at a
// new directory with an atomic rename of a new link.
func TestSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	v1, v2 := filepath.Join(dir, "..2026_v1"), filepath.Join(dir, "..2026_v2")
	for i, d := range []string{v1, v2} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		content := specYAML("m", "a=10")
		if i == 1 {
			content = specYAML("m", "a=10", "swapped=1")
		}
		if err := os.WriteFile(filepath.Join(d, "monitor.yaml"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Symlink("..2026_v1", filepath.Join(dir, "..data")))
	path := filepath.Join(dir, "monitor.yaml")
	must(t, os.Symlink("..data/monitor.yaml", path))

	account := newFakeAccount()
	d, err := New(Options{SpecPath: path, Load: loadTestSpec, Reconciler: account, Interval: time.Hour, PollInterval: 20 * time.Millisecond})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	eventually(t, 5*time.Second, "first pass", func() bool { return account.passCount() == 1 })

	must(t, os.Symlink("..2026_v2", filepath.Join(dir, "..data_tmp")))
	must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	eventually(t, 5*time.Second, "swap applied", func() bool { _, ok := account.alarm("Alarm/swapped"); return ok })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestInvalidEditKeepsLastGoodSpec(t *testing.T) {
	h := startDaemon(t, specYAML("m", "a=10", "b=5"), func(o *Options) { o.Interval = 100 * time.Millisecond })
	eventually(t, 5*time.Second, "first pass", func() bool { return h.account.passCount() >= 1 })
	good := h.d.Status().Spec.SHA256

	// A broken edit that, if it were enforced, would prune alarm b.
	h.write(specYAML("m", "a=10") + "  thresold: 1\n")
	eventually(t, 5*time.Second, "edit rejected in status", func() bool { return h.d.Status().RejectedEdit != nil })
	before := h.account.passCount()
	eventually(t, 5*time.Second, "resyncs go on", func() bool { return h.account.passCount() >= before+2 })
	if _, ok := h.account.alarm("Alarm/b"); !ok {
		t.Fatal("alarm b was deleted by an invalid edit")
	}
	if got := h.account.lastPass().alarms; strings.Join(got, ",") != "a,b" {
		t.Errorf("pass after the invalid edit enforced %v, want the previous spec a,b", got)
	}
	st := h.d.Status()
	if st.Spec.SHA256 != good || !strings.Contains(st.RejectedEdit.Error, "thresold") {
		t.Errorf("status: spec %s (want %s), rejected edit %+v", st.Spec.SHA256, good, st.RejectedEdit)
	}
	if !strings.Contains(h.logs.String(), "spec edit rejected") {
		t.Error("rejected edit not logged")
	}

	// Fixing the file applies it and clears the rejection.
	h.write(specYAML("m", "a=10"))
	eventually(t, 5*time.Second, "fixed edit applied", func() bool { _, ok := h.account.alarm("Alarm/b"); return !ok })
	if st := h.d.Status(); st.RejectedEdit != nil {
		t.Errorf("rejected edit still shown after a good edit: %+v", st.RejectedEdit)
	}
}

func TestDeletedSpecFileIsARejectedEdit(t *testing.T) {
	h := startDaemon(t, specYAML("m", "a=10"), nil)
	eventually(t, 5*time.Second, "first pass", func() bool { return h.account.passCount() == 1 })
	must(t, os.Remove(h.path))
	eventually(t, 5*time.Second, "removal rejected", func() bool { return h.d.Status().RejectedEdit != nil })
	if _, ok := h.account.alarm("Alarm/a"); !ok {
		t.Fatal("alarm deleted after the spec file was removed")
	}
}

func TestErrorsBackOffThenRecover(t *testing.T) {
	account := newFakeAccount()
	account.errs = []error{errors.New("describe alarms: 503 Service Unavailable"), errors.New("again"), errors.New("and again")}
	h := startDaemonOn(t, account, specYAML("m", "a=10"), func(o *Options) {
		o.BackoffBase = 40 * time.Millisecond
	})
	eventually(t, 5*time.Second, "recovered", func() bool { _, ok := h.account.alarm("Alarm/a"); return ok })
	h.account.mu.Lock()
	passes := append([]passRecord(nil), h.account.passes...)
	h.account.mu.Unlock()
	if len(passes) != 4 {
		t.Fatalf("%d passes, want 3 failures and a success", len(passes))
	}
	// Backoff doubles: 40ms, 80ms, 160ms, less up to 20% jitter each.
	for i, min := range []time.Duration{32, 64, 128} {
		if gap := passes[i+1].at.Sub(passes[i].at); gap < min*time.Millisecond {
			t.Errorf("retry %d after %v, want at least %vms", i+1, gap, min)
		}
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"recovered"`) || !strings.Contains(logs, `"failedPasses":3`) {
		t.Errorf("no recovered line after 3 failures:\n%s", logs)
	}
	if st := h.d.Status(); st.LastError == nil || st.LastError.Message != "and again" || !st.Ready {
		t.Errorf("status after recovery: ready %v, last error %+v", st.Ready, st.LastError)
	}
}

var errAccessDenied = errors.New("put metric alarm: AccessDenied: not authorized")

func TestTerminalErrorWaitsForSpecChange(t *testing.T) {
	account := newFakeAccount()
	account.errs = []error{errAccessDenied}
	h := startDaemonOn(t, account, specYAML("m", "a=10"), func(o *Options) {
		o.Terminal = func(err error) bool { return errors.Is(err, errAccessDenied) }
	})
	eventually(t, 5*time.Second, "first pass", func() bool { return h.account.passCount() == 1 })
	// No retry by itself (the cap is an hour here); wait a while to see none comes.
	time.Sleep(300 * time.Millisecond)
	if n := h.account.passCount(); n != 1 {
		t.Fatalf("%d passes after a terminal error, want 1 (no spinning)", n)
	}
	if st := h.d.Status(); st.LastError == nil || !st.LastError.Terminal || st.Ready {
		t.Errorf("status: %+v ready=%v", st.LastError, st.Ready)
	}
	h.write(specYAML("m", "a=11"))
	eventually(t, 5*time.Second, "retry after the spec change", func() bool { v, _ := h.account.alarm("Alarm/a"); return v == "11" })
	eventually(t, 5*time.Second, "recovered line", func() bool { return strings.Contains(h.logs.String(), `"msg":"recovered","failedPasses":1`) })
}

func TestCancelMidPassReturnsPromptly(t *testing.T) {
	account := newFakeAccount()
	account.block = true
	h := startDaemonOn(t, account, specYAML("m", "a=10"), nil)
	<-h.account.started
	start := time.Now()
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatalf("Run returned %v on cancellation, want nil", err)
		}
		h.done <- nil // for Cleanup
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return within 2s of cancellation mid-pass")
	}
	t.Logf("returned %v after cancel", time.Since(start))
	logs := h.logs.String()
	if strings.Contains(logs, `"level":"error"`) {
		t.Errorf("cancellation logged as an error:\n%s", logs)
	}
	if !strings.Contains(logs, "pass interrupted by shutdown") {
		t.Errorf("no line saying the pass was interrupted:\n%s", logs)
	}
}

func TestRunFailsOnInvalidSpecAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitor.yaml")
	must(t, os.WriteFile(path, []byte("kind: Monitor\nmetadata: {}\n"), 0o644))
	account := newFakeAccount()
	d, err := New(Options{SpecPath: path, Load: loadTestSpec, Reconciler: account})
	must(t, err)
	err = d.Run(context.Background())
	var inv *reconcile.TerminalError
	if !errors.As(err, &inv) || !inv.Invalid || !strings.Contains(err.Error(), "metadata.name") {
		t.Fatalf("Run = %v, want an invalid-configuration TerminalError naming metadata.name", err)
	}
	if account.passCount() != 0 {
		t.Error("a pass ran on an invalid spec")
	}
}

func TestOnceDryRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitor.yaml")
	must(t, os.WriteFile(path, []byte(specYAML("m", "a=1")), 0o644))
	account := newFakeAccount()
	d, err := New(Options{SpecPath: path, Load: loadTestSpec, Reconciler: account, DryRun: true})
	must(t, err)
	res, err := d.Once(context.Background())
	must(t, err)
	if len(res.Changes) != 2 || res.Changes[0].Action != "create" || res.Changes[0].Applied {
		t.Errorf("dry-run result %+v", res.Changes)
	}
	if _, ok := account.alarm("Alarm/a"); ok {
		t.Error("dry run applied a change")
	}
	if st := d.Status(); st.Resources[0].State != StateDrifted {
		t.Errorf("state %q under dry-run, want Drifted", st.Resources[0].State)
	}
}

func TestLogWarningsOnlyWhenTheyChange(t *testing.T) {
	var buf syncBuffer
	log, flush, err := testLogger(&buf)
	must(t, err)
	a := reconcile.Warning{ID: "Topic/t", Message: "no confirmed subscription"}
	b := reconcile.Warning{ID: "Trail/x", Message: "single region"}
	seen := logWarnings(log, nil, []reconcile.Warning{a, b})
	seen = logWarnings(log, seen, []reconcile.Warning{a, b}) // unchanged: nothing logged
	logWarnings(log, seen, []reconcile.Warning{b})           // a cleared
	flush()
	out := buf.String()
	if n := strings.Count(out, `"msg":"warning"`); n != 2 {
		t.Errorf("%d warning lines, want 2 (each once):\n%s", n, out)
	}
	if !strings.Contains(out, `"msg":"warning cleared","id":"Topic/t"`) {
		t.Errorf("no cleared line for Topic/t:\n%s", out)
	}
}
