package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDaemonWithAWSDown: AWS unreachable. The daemon stays up, live but not ready, backs off,
// reports the error in /status, and stops cleanly on SIGTERM.
func TestDaemonWithAWSDown(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "m.yaml")
	writeFile(t, spec, "apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nmetadata: {name: x}\nspec:\n  logGroup: {name: lg}\n")
	p := start(t, cleanEnv("AWS_MAX_ATTEMPTS=1"), "-f", spec, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1",
		"--listen", "127.0.0.1:0", "--interval", "1s")
	base := p.listenAddr()
	p.waitLog(5*time.Second, `"msg":"retrying after backoff"`)
	if code, _ := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d, want 200 while AWS is down", code)
	}
	if code, _ := httpGet(t, base+"/readyz"); code != 503 {
		t.Errorf("/readyz = %d, want 503 before any successful pass", code)
	}
	_, body := httpGet(t, base+"/status")
	var st struct {
		Ready     bool
		LastError struct{ Message string }
	}
	must(t, json.Unmarshal([]byte(body), &st))
	if st.Ready || !strings.Contains(st.LastError.Message, "connection refused") {
		t.Errorf("/status: %s", body)
	}
	stopAt := time.Now()
	must(t, p.cmd.Process.Signal(syscall.SIGTERM))
	if code := p.wait(10 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	t.Logf("exited %v after SIGTERM", time.Since(stopAt))
}
