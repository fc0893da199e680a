package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/reconcile/audit"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
)

// auditEnv points the AWS SDK at static test credentials and nothing of the machine's own.
func auditEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDAUDITCMD")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_ENDPOINT_URL", "")
}

// TestAuditCommandAgainstMoto: an empty account fails every control (exit 2); after kmswatch
// applies examples/cis-aws-foundations.yaml, the audit passes all fourteen (exit 0) — the preset
// is what the audit, and Security Hub as documented, look for.
func TestAuditCommandAgainstMoto(t *testing.T) {
	srv := mototest.Start(t)
	auditEnv(t)
	moto := []string{"--endpoint-url", srv.URL, "--cloudwatch-protocol", "query"}

	code, out, errs := runCmd(t, append([]string{"audit", "--output", "json"}, moto...)...)
	rows := auditRows(t, out)
	if code != audit.ExitFail || len(rows) != 14 || rows[0].Status != audit.Fail || rows[0].Reason != "us-east-1: no CloudTrail trail" {
		t.Fatalf("empty account: exit %d, rows %+v, stderr %s", code, rows, errs)
	}

	srv.CreateBucket(t, "cis-trail-bucket-111122223333")
	code, _, errs = runCmd(t, append([]string{"--once", "-f", "../../examples/cis-aws-foundations.yaml", "--account-id", "123456789012", "--log-format", "json"}, moto...)...)
	if code != exitOK {
		t.Fatalf("applying the example: exit %d\n%s", code, errs)
	}
	code, out, errs = runCmd(t, append([]string{"audit", "--region", "us-east-1"}, moto...)...)
	if code != audit.ExitPass || !strings.HasSuffix(strings.TrimSpace(out), "14 controls: 14 passed, 0 failed") {
		t.Fatalf("after applying the preset: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "CloudWatch.13  PASS    us-east-1: trail cis-management-trail → log group cis-cloudtrail-logs → metric filter cis-cloudwatch-13-route-table-changes → alarm cis-cloudwatch-13-route-table-changes") {
		t.Errorf("text output:\n%s", out)
	}
}

// TestAuditCommandAgainstEmulator is TestAuditCommandAgainstMoto on kmswatch's emulator, which
// answers CloudWatch in CBOR (the SDK's default), checks the trail's role and, like AWS, leaves an
// SQS subscription of the account confirmed at once: empty, the account fails everything (exit
// 2); with the example applied, it passes everything (exit 0).
func TestAuditCommandAgainstEmulator(t *testing.T) {
	e := awsemu.New(awsemu.Options{Region: "us-east-1", AccountID: "111122223333"})
	srv, err := awsemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	auditEnv(t)
	emu := []string{"--endpoint-url", srv.URL}

	code, out, errs := runCmd(t, append([]string{"audit", "--output", "json"}, emu...)...)
	if rows := auditRows(t, out); code != audit.ExitFail || len(rows) != 14 || rows[0].Reason != "us-east-1: no CloudTrail trail" {
		t.Fatalf("empty account: exit %d, rows %+v, stderr %s", code, rows, errs)
	}
	e.SeedBucket("cis-trail-bucket-111122223333")
	e.SeedRole("arn:aws:iam::111122223333:role/CloudTrailToLogs")
	code, _, errs = runCmd(t, append([]string{"--once", "-f", "../../examples/cis-aws-foundations.yaml", "--account-id", "111122223333", "--log-format", "json"}, emu...)...)
	if code != exitOK {
		t.Fatalf("applying the example: exit %d\n%s", code, errs)
	}
	code, out, errs = runCmd(t, append([]string{"audit", "--region", "us-east-1"}, emu...)...)
	if code != audit.ExitPass || !strings.HasSuffix(strings.TrimSpace(out), "14 controls: 14 passed, 0 failed") ||
		!strings.Contains(out, "1 confirmed, e.g. sqs:arn:aws:sqs:us-east-1:111122223333:security-events") {
		t.Fatalf("after applying the preset: exit %d\n%s\n%s", code, out, errs)
	}
}

func auditRows(t *testing.T, out string) []audit.Row {
	t.Helper()
	var rows []audit.Row
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r audit.Row
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		rows = append(rows, r)
	}
	return rows
}

// TestAuditCommandUsageAndUnreachable: bad flags are exit 3; an endpoint that does not answer
// leaves every control undecided, exit 1.
func TestAuditCommandUsageAndUnreachable(t *testing.T) {
	auditEnv(t)
	for _, args := range [][]string{
		{"audit", "--output", "yaml"},
		{"audit", "--cloudwatch-protocol", "xml"},
		{"audit", "extra"},
	} {
		if code, _, errs := runCmd(t, args...); code != exitInvalid || !strings.Contains(errs, "kmswatch audit: ") {
			t.Errorf("%v: exit %d, stderr %q; want 3 and a message", args, code, errs)
		}
	}
	code, out, _ := runCmd(t, "audit", "--output", "json", "--endpoint-url", "http://127.0.0.1:1", "--region", "eu-west-1")
	rows := auditRows(t, out)
	if code != audit.ExitUnreadable || len(rows) != 14 || rows[6].Status != audit.Error || !strings.HasPrefix(rows[6].Reason, "eu-west-1: describe trails: ") {
		t.Errorf("unreachable endpoint: exit %d, %+v", code, rows)
	}
}
