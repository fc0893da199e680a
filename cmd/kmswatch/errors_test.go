package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

// TestServerErrorsBackOffAndRecover: CloudWatch answers 500 to every DescribeAlarms of the first
// pass (the SDK's three attempts). The pass fails, the daemon backs off, the next pass succeeds
// and a "recovered" line is logged; the metrics count the errors.
func TestServerErrorsBackOffAndRecover(t *testing.T) {
	emu := newLabEmulator()
	emu.Instruments().InjectFault(awsemu.Fault{Service: "cloudwatch", Op: "DescribeAlarms", Kind: awsemu.ServerError, Times: 3})
	url := serve(t, listen(t), emu)
	spec := filepath.Join(t.TempDir(), "monitor.yaml")
	writeFile(t, spec, labSpec(t, 1))
	p := start(t, cleanEnv(), "-f", spec, "--endpoint-url", url, "--account-id", labAccount, "--interval", "1s", "--listen", "127.0.0.1:0")
	base := p.listenAddr()
	p.waitLog(15*time.Second, `"msg":"pass failed"`)
	p.waitLog(15*time.Second, `"msg":"retrying after backoff"`)
	p.waitLog(15*time.Second, `"msg":"recovered","failedPasses":1`)
	_, metrics := httpGet(t, base+"/metrics")
	for _, series := range []string{
		`kmswatch_reconcile_total{result="error"}`,
		`kmswatch_aws_requests_total{code="InternalServiceError",operation="DescribeAlarms",service="cloudwatch"}`,
	} {
		if v, ok := metricValue(metrics, series); !ok || v < 1 {
			t.Errorf("/metrics: %s = %v", series, v)
		}
	}
}

// TestTerminalErrorWaitsForSpecChange: the trail's bucket does not exist, which CloudTrail
// refuses with S3BucketDoesNotExistException — no retry can fix that. The daemon must not call
// CreateTrail again every interval; an edit naming an existing bucket is applied at once.
func TestTerminalErrorWaitsForSpecChange(t *testing.T) {
	emu := newLabEmulator()
	url := serve(t, listen(t), emu)
	spec := filepath.Join(t.TempDir(), "monitor.yaml")
	writeFile(t, spec, strings.Replace(labSpec(t, 1), "s3BucketName: pattern1-trail-bucket", "s3BucketName: no-such-bucket", 1))
	p := start(t, cleanEnv(), "-f", spec, "--endpoint-url", url, "--account-id", labAccount, "--interval", "1s", "--listen", "127.0.0.1:0")
	base := p.listenAddr()
	p.waitLog(10*time.Second, `"msg":"waiting for a spec change before retrying`)
	first := emu.Instruments().Calls()["cloudtrail:CreateTrail"]
	// Three intervals: a spinning daemon would call CreateTrail three more times.
	time.Sleep(3 * time.Second)
	if n := emu.Instruments().Calls()["cloudtrail:CreateTrail"]; n != first {
		t.Errorf("CreateTrail called %d more times after a terminal error, want none until the spec changes", n-first)
	}
	if _, body := httpGet(t, base+"/status"); !strings.Contains(body, `"terminal": true`) || !strings.Contains(body, "S3BucketDoesNotExist") {
		t.Errorf("/status does not show the terminal error:\n%s", body)
	}
	writeFile(t, spec, labSpec(t, 1))
	eventually(t, 3*time.Second, "/readyz after the fix", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })
}
