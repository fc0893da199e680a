package main

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

// TestOnceWithLease: --once --lease runs its pass only if it can take the lease, and names the
// holder otherwise; --once --dry-run needs no lease and makes no lease call.
func TestOnceWithLease(t *testing.T) {
	fb := newFleetBackend(t, "emulator")
	spec := labSpecFile(t, t.TempDir(), "monitor.yaml", 1)
	daemonProc := fb.start(t, "daemon", "-f", spec)
	eventually(t, 20*time.Second, "the daemon leads", func() bool { return daemonProc.leads(t) })
	host, _ := os.Hostname()
	args := []string{"--once", "-f", spec, "--endpoint-url", fb.url, "--account-id", fb.account, "--lease", leaseURL, "--lease-duration", fleetLease.String()}
	code, out, logs := runOnce(t, cleanEnv("AWS_ACCESS_KEY_ID=AKIAONCEHELD"), args...)
	if code != exitFailed || !strings.Contains(logs, "is held by "+host) || out != "" {
		t.Errorf("--once --lease while a daemon leads: exit %d, stdout %q, stderr:\n%s", code, out, logs)
	}
	code, out, logs = runOnce(t, cleanEnv("AWS_ACCESS_KEY_ID=AKIAONCEDRY"), append(args, "--dry-run")...)
	if code != exitOK || !strings.Contains(out, "Alarm/"+labAlarm+" unchanged") {
		t.Errorf("--once --dry-run --lease: exit %d, stdout:\n%s\nstderr:\n%s", code, out, logs)
	}
	daemonProc.stop(t, syscall.SIGTERM)
	code, out, logs = runOnce(t, cleanEnv("AWS_ACCESS_KEY_ID=AKIAONCEFREE"), args...)
	if code != exitOK || !strings.Contains(out, "Alarm/"+labAlarm+" unchanged") || !strings.Contains(logs, `"msg":"lease released"`) {
		t.Errorf("--once --lease with the lease released: exit %d, stdout:\n%s\nstderr:\n%s", code, out, logs)
	}
	var dry, held []string
	for _, c := range fb.rec.Calls() {
		switch {
		case c.AccessKey == "AKIAONCEDRY" && c.Service == "s3":
			dry = append(dry, c.Op)
		case c.AccessKey == "AKIAONCEHELD" && c.Service != "s3":
			held = append(held, c.Service+":"+c.Op)
		}
	}
	if len(dry) != 0 || len(held) != 0 {
		t.Errorf("the dry run made S3 calls %v; the refused --once made calls %v", dry, held)
	}
}

// TestSandboxWithLeaseAndS3Spec: --sandbox with --lease and -f s3:// creates both buckets in its
// emulated S3, waits for the spec to be uploaded (and says how), then leads and converges.
func TestSandboxWithLeaseAndS3Spec(t *testing.T) {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	p := start(t, env, "--sandbox", "-f", "s3://kmswatch-specs/monitor.yaml", "--lease", "s3://kmswatch-state/lease.json",
		"--account-id", labAccount, "--interval", "1s", "--spec-poll", "1s", "--listen", "127.0.0.1:0")
	url := p.waitLog(10*time.Second, `aws --endpoint-url (http://127\.0\.0\.1:\d+) s3 cp examples/monitor.yaml s3://kmswatch-specs/monitor.yaml`)[1]
	c := s3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), HTTPClient: awsemu.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIASANDBOXOPERATOR", "sandbox", "")}, func(o *s3.Options) { o.UsePathStyle = true })
	data, err := os.ReadFile("../../examples/monitor.yaml")
	must(t, err)
	_, err = c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("kmswatch-specs"), Key: aws.String("monitor.yaml"), Body: strings.NewReader(string(data))})
	must(t, err)
	base := p.listenAddr()
	p.waitLog(15*time.Second, `"msg":"pass done"`)
	_, body := httpGet(t, base+"/status")
	if !regexp.MustCompile(`"role": "leader"`).MatchString(body) || !strings.Contains(body, `"source": "s3://kmswatch-specs/monitor.yaml"`) {
		t.Errorf("/status of the sandbox:\n%s", body)
	}
	if code, _ := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d", code)
	}
	must(t, p.cmd.Process.Signal(syscall.SIGTERM))
	if code := p.wait(10 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
}
