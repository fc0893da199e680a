package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidateCommand(t *testing.T) {
	code, out, errs := runCmd(t, "validate", "-f", "../../examples/monitor.yaml")
	if code != exitOK || !strings.Contains(out, "valid: 1 monitor(s), 1 alarm(s), 3 warning(s)") {
		t.Errorf("valid file: exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errs, "warning: ../../examples/monitor.yaml: document 1: spec.alarms[0].period: a metric filter publishes one datapoint per minute") {
		t.Errorf("warnings on stderr: %q", errs)
	}

	code, out, errs = runCmd(t, "validate", "-f", "../../spec/testdata/several-problems.yaml")
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != exitInvalid || out != "" || len(lines) != 10 || !strings.HasSuffix(lines[9], "invalid: 9 problem(s)") {
		t.Errorf("invalid file: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	if !strings.HasPrefix(lines[4], "../../spec/testdata/several-problems.yaml: document 2: spec.alarms[0].period: must be 10s, 20s, 30s or a multiple of 60s, got 45s") {
		t.Errorf("line 5: %s", lines[4])
	}

	for _, args := range [][]string{
		{"validate"},
		{"validate", "-f", filepath.Join(t.TempDir(), "absent.yaml")},
		{"validate", "--no-such-flag"},
		{"validate", "-f", "x.yaml", "extra"},
	} {
		if code, _, errs := runCmd(t, args...); code != exitInvalid || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 3 and a message", args, code, errs)
		}
	}
}

func TestTestCommand(t *testing.T) {
	code, out, errs := runCmd(t, "test", "-f", "../../examples/cis-kms.yaml", "--events", "../../examples/events", "--output", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		got = append(got, v)
	}
	if len(got) != 28 { // 14 in the KMS and CloudTrail files, 14 in security-hub-cis.jsonl
		t.Fatalf("want 28 lines, got %d:\n%s", len(got), out)
	}
	if line := strings.Split(out, "\n")[10]; line != `{"index":10,"eventName":"DisableKey","matches":["cis-kms-key-disabled-or-deleted"]}` {
		t.Errorf("line 10: %s", line)
	}
	if line := strings.Split(out, "\n")[0]; line != `{"index":0,"eventName":"Decrypt","matches":[]}` {
		t.Errorf("line 0: %s", line)
	}

	code, out, _ = runCmd(t, "test", "-f", "../../examples/monitor.yaml", "--events", "../../examples/events/app-kms.json")
	want := "0 Decrypt (../../examples/events/app-kms.json#0): pattern1-logging-alarm\n" +
		"1 Decrypt (../../examples/events/app-kms.json#1): no alarm\n"
	if code != exitOK || !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 6 {
		t.Errorf("text output: exit %d:\n%s", code, out)
	}

	badEvents := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badEvents, []byte(`{"Records":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"test", "-f", "../../spec/testdata/several-problems.yaml", "--events", "../../examples/events"}, exitInvalid},
		{[]string{"test", "-f", "../../examples/monitor.yaml"}, exitInvalid},
		{[]string{"test", "-f", "../../examples/monitor.yaml", "--events", "../../examples/events", "--output", "yaml"}, exitInvalid},
		{[]string{"test", "-f", "../../examples/monitor.yaml", "--events", badEvents}, exitFailed},
	}
	for _, tc := range cases {
		if code, _, errs := runCmd(t, tc.args...); code != tc.code || errs == "" {
			t.Errorf("%v: exit %d (want %d), stderr %q", tc.args, code, tc.code, errs)
		}
	}
}
