package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
	"github.com/kmswatch/kmswatch/spec/redact"
	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
)

// corpusSpec is a Monitor whose topic subscribes every valid endpoint of the credential corpus
// (spec/redact/redacttest), one of them through an environment variable (endpointFrom), which is
// how ECS hands a secret to a container. It returns the spec and the variable's assignment.
func corpusSpec(t *testing.T) (string, string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nmetadata: {name: corpus}\nspec:\n")
	b.WriteString("  logGroup: {name: corpus-lg}\n  topics:\n    - name: corpus\n      subscriptions:\n")
	env := ""
	for _, c := range redacttest.Corpus() {
		if c.Invalid || !strings.HasPrefix(c.Protocol, "http") && c.Protocol != "email" {
			continue // the protocols whose endpoints carry credentials, and plain email
		}
		if env == "" && len(c.Secrets) > 0 {
			env = "ONCALL_WEBHOOK_URL=" + c.Endpoint
			fmt.Fprintf(&b, "        - {protocol: %s, endpointFrom: {env: ONCALL_WEBHOOK_URL}}\n", c.Protocol)
			continue
		}
		fmt.Fprintf(&b, "        - {protocol: %s, endpoint: %q}\n", c.Protocol, c.Endpoint)
	}
	b.WriteString("  alarms:\n    - {name: corpus-alarm, filterPattern: '{ $.eventSource = \"kms.amazonaws.com\" }', metric: {namespace: NS, name: corpus},\n")
	b.WriteString("       period: 60s, threshold: 1, comparison: GreaterThanOrEqualToThreshold, alarmActions: [corpus]}\n")
	path := filepath.Join(t.TempDir(), "monitor.yaml")
	writeFile(t, path, b.String())
	return path, env
}

// noLeaks fails if text holds any secret of the corpus.
func noLeaks(t *testing.T, channel, text string) {
	t.Helper()
	if leaks := redacttest.Leaks(text); len(leaks) > 0 {
		t.Errorf("%s prints the secrets %v:\n%s", channel, leaks, text)
	}
}

// TestSecretsStaySecret: no credential of the corpus appears on any output channel — stdout and
// stderr (logs at the most verbose level, warnings, errors) of --once in text and JSON, dry run
// and apply, and of a daemon with its /status and /metrics — against the emulator and moto.
func TestSecretsStaySecret(t *testing.T) {
	path, secretEnv := corpusSpec(t)
	backends := map[string]func(t *testing.T) []string{
		"emulator": func(t *testing.T) []string {
			ln := listen(t)
			url := serve(t, ln, newLabEmulator())
			return []string{"--endpoint-url", url, "--account-id", labAccount, "--region", labRegion}
		},
		"moto": func(t *testing.T) []string {
			srv := mototest.Start(t)
			return []string{"--endpoint-url", srv.URL, "--account-id", "123456789012", "--region", labRegion, "--cloudwatch-protocol", "query"}
		},
	}
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			args := backend(t)
			env := cleanEnv(secretEnv)
			for _, run := range [][]string{{"--dry-run"}, {"--output", "json", "--dry-run"}, {}, {"--output", "json"}} {
				code, stdout, stderr := runOnce(t, env, append(append([]string{"--once", "-f", path, "-v", "1", "--log-format", "json"}, args...), run...)...)
				if code != exitOK && code != exitPending {
					t.Errorf("kmswatch --once %v: exit %d\n%s", run, code, stderr)
				}
				noLeaks(t, fmt.Sprintf("--once %v stdout", run), stdout)
				noLeaks(t, fmt.Sprintf("--once %v stderr", run), stderr)
				if !strings.Contains(stdout, redact.Endpoint(strings.TrimPrefix(secretEnv, "ONCALL_WEBHOOK_URL="))) {
					t.Errorf("--once %v does not name the endpointFrom subscription by its display form:\n%s", run, stdout)
				}
			}
			daemonChannels(t, env, append([]string{"-f", path, "-v", "1", "--interval", "1s", "--listen", "127.0.0.1:0"}, args...))
		})
	}
}

// daemonChannels runs kmswatch as a daemon for a few passes and checks its /status, /metrics and
// logs, then stops it with SIGTERM.
func daemonChannels(t *testing.T, env, args []string) {
	t.Helper()
	p := start(t, env, args...)
	base := p.listenAddr()
	eventually(t, 20*time.Second, "ready", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == http.StatusOK })
	time.Sleep(2 * time.Second) // a resync or two
	for _, path := range []string{"/status", "/metrics"} {
		code, body := httpGet(t, base+path)
		if code != http.StatusOK {
			t.Errorf("%s: %d", path, code)
		}
		noLeaks(t, path, body)
	}
	must(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.wait(10 * time.Second)
	noLeaks(t, "daemon stdout", p.out())
	noLeaks(t, "daemon stderr", p.logs())
}
