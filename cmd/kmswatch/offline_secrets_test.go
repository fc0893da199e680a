package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
)

// secretSpec is a Monitor whose topic subscribes subs (YAML flow mappings), with one alarm on
// it that the example events exercise.
func secretSpec(subs []string) string {
	return `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: secrets}
spec:
  logGroup: {name: secrets-logs}
  topics:
    - name: oncall
      subscriptions:
        - ` + strings.Join(subs, "\n        - ") + `
  alarms:
    - name: kms-errors
      match: {eventSource: kms.amazonaws.com, errorsOnly: true}
      metric: {namespace: Secrets/KMS, name: Errors}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [oncall]
`
}

const oncallURL = "https://user:PASSWORD456@hooks.example.com/sns?apiKey=SECRETKEY123"

// TestValidateStrict: an endpointFrom variable that is unset is a warning offline and an error
// with --strict (as at run time); set, it is resolved and checked — in a kmswatch process whose
// environment the test sets, never its own.
func TestValidateStrict(t *testing.T) {
	file := filepath.Join(t.TempDir(), "m.yaml")
	writeFile(t, file, secretSpec([]string{`{protocol: https, endpointFrom: {env: KMSWATCH_ONCALL_URL}}`}))
	const field = "spec.topics[0].subscriptions[0].endpointFrom.env"

	code, out, errs := runOnce(t, cleanEnv(), "validate", "-f", file)
	if code != exitOK || !strings.Contains(out, "valid: 1 monitor(s), 1 alarm(s), 1 warning(s)") ||
		!strings.Contains(errs, "warning: "+file+": document 1: "+field+": environment variable KMSWATCH_ONCALL_URL is not set") {
		t.Errorf("unset, offline: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	code, out, errs = runOnce(t, cleanEnv(), "validate", "--strict", "-f", file)
	if code != exitInvalid || out != "" || !strings.Contains(errs, file+": document 1: "+field+": environment variable KMSWATCH_ONCALL_URL is not set\n") {
		t.Errorf("unset, --strict: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	code, out, errs = runOnce(t, cleanEnv("KMSWATCH_ONCALL_URL="), "validate", "--strict", "-f", file)
	if code != exitInvalid || out != "" || !strings.Contains(errs, "KMSWATCH_ONCALL_URL is set but empty") {
		t.Errorf("empty, --strict: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	code, out, errs = runOnce(t, cleanEnv("KMSWATCH_ONCALL_URL="+oncallURL), "validate", "--strict", "-f", file)
	if code != exitOK || !strings.Contains(out, "0 warning(s)") || errs != "" {
		t.Errorf("set, --strict: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	// Set to a value the protocol refuses: the error names the variable and shows the display
	// form, not the value.
	bad := strings.Replace(oncallURL, "https:", "http:", 1)
	code, _, errs = runOnce(t, cleanEnv("KMSWATCH_ONCALL_URL="+bad), "validate", "-f", file)
	if code != exitInvalid || !strings.Contains(errs, field+": the value of KMSWATCH_ONCALL_URL must be an absolute https:// URL, got http://REDACTED@hooks.example.com/sns?apiKey=REDACTED#") ||
		strings.Contains(errs, "PASSWORD456") || strings.Contains(errs, "SECRETKEY123") {
		t.Errorf("bad value: exit %d, stderr:\n%s", code, errs)
	}
}

// TestOfflineCommandsNeverPrintSecrets runs kmswatch validate and kmswatch test over the
// credential corpus — every endpoint written in the file, one read from the environment, and the
// corpus again under a protocol that refuses each endpoint so that every one is reported — and
// requires that no secret of the corpus appears in stdout or stderr.
func TestOfflineCommandsNeverPrintSecrets(t *testing.T) {
	dir := t.TempDir()
	var valid, refused []string
	for _, c := range redacttest.Corpus() {
		q := fmt.Sprintf("%q", c.Endpoint)
		wrong := "sqs"
		if c.Protocol == "sqs" {
			wrong = "lambda"
		}
		refused = append(refused, fmt.Sprintf("{protocol: %s, endpoint: %s}", wrong, q))
		if c.Invalid {
			refused = append(refused, fmt.Sprintf("{protocol: %s, endpoint: %s}", c.Protocol, q))
			continue
		}
		valid = append(valid, fmt.Sprintf("{protocol: %s, endpoint: %s}", c.Protocol, q))
	}
	valid = append(valid, "{protocol: https, endpointFrom: {env: KMSWATCH_ONCALL_URL}}")
	goodFile, badFile := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	writeFile(t, goodFile, secretSpec(valid))
	writeFile(t, badFile, secretSpec(refused))
	// An events file whose second record is not an object but a string quoting an endpoint:
	// the error about it quotes the record.
	events := filepath.Join(dir, "events.jsonl")
	rec, _ := json.Marshal(oncallURL)
	writeFile(t, events, `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"AccessDenied"}`+"\n"+string(rec)+"\n")
	goodEvents := filepath.Join(dir, "good.jsonl")
	writeFile(t, goodEvents, `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"AccessDenied"}`+"\n")

	env := cleanEnv("KMSWATCH_ONCALL_URL=" + oncallURL)
	runs := []struct {
		args []string
		code int
	}{
		{[]string{"validate", "-f", goodFile}, exitOK},
		{[]string{"validate", "--strict", "-f", goodFile}, exitOK},
		{[]string{"validate", "-f", badFile}, exitInvalid},
		{[]string{"test", "-f", goodFile, "--events", goodEvents}, exitOK},
		{[]string{"test", "-f", goodFile, "--events", goodEvents, "--output", "json"}, exitOK},
		{[]string{"test", "-f", goodFile, "--events", events}, exitFailed},
		{[]string{"test", "-f", badFile, "--events", goodEvents}, exitInvalid},
	}
	for _, r := range runs {
		code, out, errs := runOnce(t, env, r.args...)
		if code != r.code {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", r.args, code, r.code, errs)
		}
		if leaks := redacttest.Leaks(out + errs); len(leaks) > 0 || strings.Contains(out+errs, "PASSWORD456") {
			t.Errorf("%v prints the secrets %q:\nstdout:\n%s\nstderr:\n%s", r.args, leaks, out, errs)
		}
	}
	// The refused endpoints are each reported, by display form.
	_, _, errs := runOnce(t, env, "validate", "-f", badFile)
	for _, c := range redacttest.Corpus() {
		if len(c.Secrets) > 0 && !strings.Contains(errs, "got "+c.Display+"\n") {
			t.Errorf("%s: no problem names it by its display form %s", c.Name, c.Display)
		}
	}
	if !strings.Contains(errs, "invalid: ") {
		t.Errorf("stderr:\n%s", errs)
	}
	if data, err := os.ReadFile(goodFile); err != nil || !strings.Contains(string(data), "PASSWORD456") {
		t.Fatal("the test's own spec lost its secrets; the checks above would pass for nothing")
	}
}
