package main

import (
	"strings"
	"testing"
)

// TestValidateAndOnceFromS3: `validate -f s3://…` and `--once -f s3://…` read the spec from S3:
// exit 0 for a valid spec, 3 for an invalid or missing object (as for a file), 1 when S3 cannot
// be reached.
func TestValidateAndOnceFromS3(t *testing.T) {
	fb := newFleetBackend(t, "emulator")
	url := "s3://" + stateBucket + "/" + specKey
	fb.upload(t, labSpec(t, 1))
	s3Flags := []string{"--endpoint-url", fb.url, "--region", labRegion}
	code, out, logs := runOnce(t, cleanEnv(), append([]string{"validate", "-f", url}, s3Flags...)...)
	if code != exitOK || !strings.Contains(out, url+": valid: 1 monitor(s), 1 alarm(s)") {
		t.Errorf("validate a valid spec in S3: exit %d, stdout %q, stderr:\n%s", code, out, logs)
	}
	onceArgs := append([]string{"--once", "-f", url, "--account-id", fb.account}, s3Flags...)
	code, out, logs = runOnce(t, cleanEnv(), onceArgs...)
	if code != exitOK || !strings.Contains(out, "Alarm/"+labAlarm+" created") {
		t.Errorf("--once -f s3://: exit %d, stdout:\n%s\nstderr:\n%s", code, out, logs)
	}

	fb.upload(t, strings.Replace(labSpec(t, 1), "      threshold: 1", "      thresold: 1", 1))
	code, _, logs = runOnce(t, cleanEnv(), append([]string{"validate", "-f", url}, s3Flags...)...)
	if code != exitInvalid || !strings.Contains(logs, "spec.alarms[0].thresold") {
		t.Errorf("validate an invalid spec in S3: exit %d, stderr:\n%s", code, logs)
	}
	code, _, logs = runOnce(t, cleanEnv(), onceArgs...)
	if code != exitInvalid || !strings.Contains(logs, "thresold") {
		t.Errorf("--once on an invalid spec in S3: exit %d, stderr:\n%s", code, logs)
	}

	missing := "s3://" + stateBucket + "/nope.yaml"
	code, _, logs = runOnce(t, cleanEnv(), append([]string{"validate", "-f", missing}, s3Flags...)...)
	if code != exitInvalid || !strings.Contains(logs, "does not exist") {
		t.Errorf("validate a missing object: exit %d, stderr:\n%s", code, logs)
	}
	code, _, logs = runOnce(t, cleanEnv(), "--once", "-f", missing, "--account-id", fb.account, "--endpoint-url", fb.url, "--region", labRegion)
	if code != exitInvalid || !strings.Contains(logs, "does not exist") {
		t.Errorf("--once on a missing object: exit %d, stderr:\n%s", code, logs)
	}
	code, _, logs = runOnce(t, cleanEnv("AWS_MAX_ATTEMPTS=1"), "validate", "-f", url, "--endpoint-url", "http://127.0.0.1:1", "--region", labRegion)
	if code != exitFailed {
		t.Errorf("validate with S3 unreachable: exit %d, want 1; stderr:\n%s", code, logs)
	}
	code, _, logs = runOnce(t, cleanEnv(), "--once", "-f", url, "--account-id", fb.account, "--endpoint-url", fb.url)
	if code != exitInvalid || !strings.Contains(logs, "no AWS region") {
		t.Errorf("--once -f s3:// without a region: exit %d, stderr:\n%s", code, logs)
	}
}
