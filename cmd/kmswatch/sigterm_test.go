package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMMidPassExits0 stops kmswatch while a pass waits on an AWS call that never answers:
// the pass's context must reach the SDK call, and the process must exit 0 well within ECS's
// stop timeout.
func TestSIGTERMMidPassExits0(t *testing.T) {
	inFlight := make(chan struct{}, 10)
	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case inFlight <- struct{}{}:
		default:
		}
		select { // an AWS that never answers
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer hang.Close()
	defer close(stop)
	spec := filepath.Join(t.TempDir(), "m.yaml")
	writeFile(t, spec, "apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nmetadata: {name: x}\nspec:\n  logGroup: {name: lg}\n")
	for _, mode := range [][]string{{}, {"--once"}} {
		args := append([]string{"-f", spec, "--region", "us-east-1", "--endpoint-url", hang.URL}, mode...)
		p := start(t, cleanEnv(), args...)
		select {
		case <-inFlight:
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: no AWS call started", mode)
		}
		stopAt := time.Now()
		must(t, p.cmd.Process.Signal(syscall.SIGTERM))
		code := p.wait(10 * time.Second)
		took := time.Since(stopAt)
		t.Logf("%v: exit %d %v after SIGTERM mid-pass", mode, code, took)
		want := exitOK
		if len(mode) > 0 {
			want = exitFailed // --once interrupted has not converged
		}
		if code != want {
			t.Errorf("%v: exit %d, want %d", mode, code, want)
		}
		if logs := p.logs(); strings.Contains(logs, `"level":"error"`) && strings.Contains(logs, "context canceled") {
			t.Errorf("%v: cancellation logged as an error:\n%s", mode, logs)
		}
	}
}
