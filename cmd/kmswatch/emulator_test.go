package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

const (
	labRegion  = "ap-southeast-2"
	labAccount = "111122223333"
	labAlarm   = "pattern1-logging-alarm"
)

// labSpec is examples/monitor.yaml with the alarm's threshold set to threshold.
func labSpec(t *testing.T, threshold int) string {
	t.Helper()
	data, err := os.ReadFile("../../examples/monitor.yaml")
	must(t, err)
	out := regexp.MustCompile(`(?m)^      threshold: 1$`).ReplaceAllString(string(data), "      threshold: "+strconv.Itoa(threshold))
	if out == string(data) && threshold != 1 {
		t.Fatal("examples/monitor.yaml has no 'threshold: 1' line to edit")
	}
	return out
}

// newLabEmulator is an emulated account that has what examples/monitor.yaml presumes.
func newLabEmulator() *awsemu.Emulator {
	e := awsemu.New(awsemu.Options{Region: labRegion, AccountID: labAccount})
	e.SeedBucket("pattern1-trail-bucket")
	e.SeedRole("arn:aws:iam::" + labAccount + ":role/CloudTrailToLogs")
	return e
}

// serve serves e on ln until the test ends.
func serve(t *testing.T, ln net.Listener, e http.Handler) string {
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func listen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	return ln
}

// operatorCloudWatch is a CloudWatch client for someone other than kmswatch.
func operatorCloudWatch(url string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(aws.Config{Region: labRegion, BaseEndpoint: aws.String(url), HTTPClient: awsemu.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAOPERATOR", "x", "")})
}

// threshold reads the lab alarm's threshold; -1 if it does not exist.
func threshold(t *testing.T, cw *cloudwatch.Client) float64 {
	t.Helper()
	out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{labAlarm}})
	if err != nil {
		t.Fatalf("describe alarms: %v", err)
	}
	if len(out.MetricAlarms) == 0 {
		return -1
	}
	return aws.ToFloat64(out.MetricAlarms[0].Threshold)
}

// setThreshold rewrites the alarm with another threshold, as drift made in the console would.
func setThreshold(t *testing.T, cw *cloudwatch.Client, v float64) {
	t.Helper()
	ctx := context.Background()
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{labAlarm}})
	must(t, err)
	if len(out.MetricAlarms) != 1 {
		t.Fatal("alarm missing")
	}
	a := out.MetricAlarms[0]
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, ActionsEnabled: a.ActionsEnabled,
		AlarmActions: a.AlarmActions, MetricName: a.MetricName, Namespace: a.Namespace, Statistic: a.Statistic,
		Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm,
		Threshold: aws.Float64(v), ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData,
	})
	must(t, err)
}

func metricValue(body, series string) (float64, bool) {
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, series+" ") {
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, series)), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// TestDaemonAgainstEmulator is the daemon's life against an emulated account: not ready until the
// first pass, spec edits by write, atomic rename and ConfigMap symlink swap applied within two
// seconds, drift repaired within one interval, an invalid edit rejected without harm, every
// metric moving, /status telling, SIGTERM, and a restart that converges.
func TestDaemonAgainstEmulator(t *testing.T) {
	emu := newLabEmulator()
	// The listener exists but is not served yet: kmswatch's first calls wait, so /readyz can be
	// seen answering 503 before the first pass.
	ln := listen(t)
	url := "http://" + ln.Addr().String()

	// A ConfigMap-style layout: monitor.yaml → ..data/monitor.yaml, ..data → v1.
	dir := t.TempDir()
	must(t, os.Mkdir(filepath.Join(dir, "v1"), 0o755))
	writeFile(t, filepath.Join(dir, "v1", "monitor.yaml"), labSpec(t, 1))
	must(t, os.Symlink("v1", filepath.Join(dir, "..data")))
	path := filepath.Join(dir, "monitor.yaml")
	must(t, os.Symlink("..data/monitor.yaml", path))

	p := start(t, cleanEnv(), "-f", path, "--endpoint-url", url, "--account-id", labAccount, "--interval", "1s", "--listen", "127.0.0.1:0")
	base := p.listenAddr()
	if code, _ := httpGet(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before the first pass = %d, want 503", code)
	}
	serve(t, ln, emu)
	eventually(t, 10*time.Second, "/readyz 200", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })
	cw := operatorCloudWatch(url)
	if got := threshold(t, cw); got != 1 {
		t.Fatalf("after the first pass the threshold is %v, want 1", got)
	}

	// within waits for the threshold to become want. The promise is a spec edit applied within
	// a second and drift repaired within one interval (here 1s); the daemon's unit tests prove
	// the scheduling (a 200ms poll, a resync never longer than the interval). Here the bound is
	// a liveness check with room for a loaded 2-core CI machine, and the time taken is logged.
	within := func(d time.Duration, what string, want float64) {
		t.Helper()
		start := time.Now()
		eventually(t, 5*d, what, func() bool { return threshold(t, cw) == want })
		t.Logf("%s: %v (promised within %v)", what, time.Since(start).Round(time.Millisecond), d)
	}

	// Drift: someone raises the threshold; the next resync (1s) repairs it.
	setThreshold(t, cw, 100)
	within(2*time.Second, "drift repaired", 1)

	// Spec edits, each applied within 2 seconds.
	writeFile(t, path, labSpec(t, 2)) // a plain write, through the symlinks
	within(2*time.Second, "plain write applied", 2)
	tmp := filepath.Join(dir, "v1", ".monitor.yaml.swp")
	writeFile(t, tmp, labSpec(t, 3))
	must(t, os.Rename(tmp, filepath.Join(dir, "v1", "monitor.yaml")))
	within(2*time.Second, "atomic rename applied", 3)
	must(t, os.Mkdir(filepath.Join(dir, "v2"), 0o755))
	writeFile(t, filepath.Join(dir, "v2", "monitor.yaml"), labSpec(t, 4))
	must(t, os.Symlink("v2", filepath.Join(dir, "..data_tmp")))
	must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	within(2*time.Second, "symlink swap applied", 4)

	// An invalid edit: it would delete the alarm if it were enforced. It is rejected, shown in
	// /status, and the previous spec is still enforced (drift still repaired to 4).
	broken := strings.Replace(labSpec(t, 4), "  alarms:", "  alarmz:", 1)
	writeFile(t, filepath.Join(dir, "v2", "monitor.yaml"), broken)
	p.waitLog(2*time.Second, `"msg":"spec edit rejected[^"]*"`)
	var st struct {
		RejectedEdit *struct{ Error string }
		Spec         struct{ SHA256 string }
		Resources    []struct {
			ID, State  string
			LastChange *struct{ Drift bool }
		}
		Subscriptions []struct{ Confirmed bool }
		Warnings      []struct{ ID, Message string }
		LastPass      struct{ ReconcileID string }
	}
	_, body := httpGet(t, base+"/status")
	must(t, json.Unmarshal([]byte(body), &st))
	if st.RejectedEdit == nil || !strings.Contains(st.RejectedEdit.Error, "alarmz") {
		t.Errorf("/status does not show the rejected edit:\n%s", body)
	}
	setThreshold(t, cw, 50)
	within(2*time.Second, "drift repaired under the previous spec", 4)
	if threshold(t, cw) < 0 {
		t.Fatal("the invalid edit deleted the alarm")
	}
	// The repair's pass has finished once the threshold is back; /status shows it as drift.
	eventually(t, 2*time.Second, "/status shows the repair", func() bool {
		_, body = httpGet(t, base+"/status")
		return strings.Contains(body, `"drift": true`)
	})
	must(t, json.Unmarshal([]byte(body), &st))
	if len(st.Subscriptions) != 1 || st.Subscriptions[0].Confirmed || len(st.Warnings) == 0 || st.LastPass.ReconcileID == "" {
		t.Errorf("/status subscriptions, warnings or last pass:\n%s", body)
	}
	var drifted bool
	for _, r := range st.Resources {
		if r.ID == "Alarm/"+labAlarm && r.LastChange != nil && r.LastChange.Drift {
			drifted = true
		}
	}
	if !drifted {
		t.Errorf("/status does not show the alarm's drift repair:\n%s", body)
	}

	_, metrics := httpGet(t, base+"/metrics")
	for _, series := range []string{
		`kmswatch_reconcile_total{result="success"}`,
		`kmswatch_reconcile_duration_seconds_count`,
		`kmswatch_aws_requests_total{code="OK",operation="PutMetricAlarm",service="cloudwatch"}`,
		`kmswatch_aws_requests_total{code="OK",operation="DescribeAlarms",service="cloudwatch"}`,
		`kmswatch_drift_repaired_total{kind="Alarm"}`,
		`kmswatch_resources{kind="Alarm",state="InSync"}`,
		`kmswatch_subscriptions_pending`,
		`kmswatch_last_success_timestamp_seconds`,
		`kmswatch_spec_reloads_total{result="rejected"}`,
	} {
		if v, ok := metricValue(metrics, series); !ok || v <= 0 {
			t.Errorf("/metrics: %s = %v (present %v), want > 0", series, v, ok)
		}
	}
	if v, _ := metricValue(metrics, `kmswatch_drift_repaired_total{kind="Alarm"}`); v < 2 {
		t.Errorf("two alarm drifts repaired, metric says %v", v)
	}

	// The logs: one line per change with the id and the moved field, a reconcile id on each.
	if !regexp.MustCompile(`"msg":"updated","reconcileID":"[0-9a-f]+","id":"Alarm/` + labAlarm + `".*"threshold 100 → 1"`).MatchString(p.logs()) {
		t.Errorf("no change line for the repaired threshold")
	}

	// Drift, then SIGTERM before it is necessarily repaired; a restart converges.
	setThreshold(t, cw, 77)
	stopAt := time.Now()
	must(t, p.cmd.Process.Signal(syscall.SIGTERM))
	if code := p.wait(10 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	t.Logf("exited %v after SIGTERM", time.Since(stopAt).Round(time.Millisecond))
	writeFile(t, filepath.Join(dir, "v2", "monitor.yaml"), labSpec(t, 4))
	code, out, logs := runOnce(t, cleanEnv(), "--once", "-f", path, "--endpoint-url", url, "--account-id", labAccount)
	if code != 0 || threshold(t, cw) != 4 {
		t.Errorf("restart: exit %d, threshold %v; stdout:\n%s\nstderr:\n%s", code, threshold(t, cw), out, logs)
	}
}

// TestOnceExitCodesAgainstEmulator: 2 with changes pending under --dry-run, 0 after converging,
// 0 for a dry run of a converged account, JSON lines on stdout.
func TestOnceExitCodesAgainstEmulator(t *testing.T) {
	url := serve(t, listen(t), newLabEmulator())
	spec := filepath.Join(t.TempDir(), "monitor.yaml")
	writeFile(t, spec, labSpec(t, 1))
	cases := []struct {
		args     []string
		want     int
		wantLine string
	}{
		{[]string{"--dry-run", "--output", "json"}, exitPending, `{"id":"Alarm/pattern1-logging-alarm","kind":"Alarm","name":"pattern1-logging-alarm","action":"create","applied":false`},
		{nil, exitOK, "Alarm/pattern1-logging-alarm created"},
		{[]string{"--dry-run"}, exitOK, "Alarm/pattern1-logging-alarm unchanged"},
	}
	for _, c := range cases {
		args := append([]string{"--once", "-f", spec, "--endpoint-url", url, "--account-id", labAccount}, c.args...)
		code, out, logs := runOnce(t, cleanEnv(), args...)
		if code != c.want || !strings.Contains(out, c.wantLine) {
			t.Errorf("%v: exit %d (want %d), stdout:\n%s\nstderr:\n%s", c.args, code, c.want, out, logs)
		}
	}
	// The SDK's own AWS_ENDPOINT_URL instead of the flag, and CloudWatch over query and JSON
	// (what moto speaks) instead of CBOR: the converged account reads as in sync.
	for _, proto := range []string{"query", "json"} {
		code, out, logs := runOnce(t, cleanEnv("AWS_ENDPOINT_URL="+url), "--once", "--dry-run", "-f", spec,
			"--account-id", labAccount, "--cloudwatch-protocol", proto)
		if code != exitOK || !strings.Contains(out, "Alarm/pattern1-logging-alarm unchanged") {
			t.Errorf("AWS_ENDPOINT_URL, %s: exit %d, stdout:\n%s\nstderr:\n%s", proto, code, out, logs)
		}
	}
}

// TestSandbox: --sandbox needs no credentials and no endpoint; as a daemon it prints the
// endpoint, which the SDK (or the AWS CLI) can use to make drift that kmswatch repairs.
func TestSandbox(t *testing.T) {
	env := cleanEnv()[:0:0]
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	code, out, logs := runOnce(t, env, "--sandbox", "--once", "--dry-run", "-f", "../../examples/monitor.yaml")
	if code != exitPending || !strings.Contains(out, "Trail/pattern1-logging-trail create") {
		t.Errorf("sandbox dry run: exit %d, stdout:\n%s\nstderr:\n%s", code, out, logs)
	}
	p := start(t, env, "--sandbox", "-f", "../../examples/monitor.yaml", "--interval", "1s")
	url := p.waitLog(10*time.Second, `aws --endpoint-url (http://127\.0\.0\.1:\d+) cloudwatch delete-alarms`)[1]
	p.waitLog(10*time.Second, `"msg":"pass done"`)
	cw := operatorCloudWatch(url)
	setThreshold(t, cw, 100)
	eventually(t, 3*time.Second, "sandbox drift repaired", func() bool { return threshold(t, cw) == 1 })
	must(t, p.cmd.Process.Signal(syscall.SIGINT))
	if code := p.wait(10 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGINT", code)
	}
}

// TestDemoCommand runs `kmswatch demo` as a newcomer would and times it.
func TestDemoCommand(t *testing.T) {
	start := time.Now()
	code, out, logs := runOnce(t, cleanEnv(), "demo")
	took := time.Since(start)
	t.Logf("kmswatch demo: %v", took.Round(time.Millisecond))
	if code != 0 || took > 10*time.Second {
		t.Fatalf("exit %d after %v; stderr:\n%s", code, took, logs)
	}
	for _, want := range []string{`Subject: ALARM: "pattern1-logging-alarm"`, "To: secops@example.com", "threshold 100 → 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

// TestMonitorsInTwoRegions: a Monitor with spec.region runs there, one without runs in the AWS
// configuration's region (not the other Monitor's), in one --once pass.
func TestMonitorsInTwoRegions(t *testing.T) {
	e := awsemu.New(awsemu.Options{Region: labRegion, AccountID: labAccount})
	url := serve(t, listen(t), e)
	dir := t.TempDir()
	file := filepath.Join(dir, "m.yaml")
	writeFile(t, file, `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: east}
spec:
  region: us-east-1
  logGroup: {name: east-lg, retentionInDays: 30}
---
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: home}
spec:
  logGroup: {name: home-lg, retentionInDays: 30}
`)
	code, stdout, stderr := runOnce(t, cleanEnv("AWS_REGION="+labRegion), "--once", "-f", file, "--endpoint-url", url, "--account-id", labAccount)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for region, want := range map[string]string{labRegion: "home-lg", "us-east-1": "east-lg"} {
		logs := cloudwatchlogs.NewFromConfig(aws.Config{Region: region, BaseEndpoint: aws.String(url), HTTPClient: awsemu.HTTPClient(),
			Credentials: credentials.NewStaticCredentialsProvider("AKIAOPERATOR", "x", "")})
		out, err := logs.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{})
		must(t, err)
		if len(out.LogGroups) != 1 || aws.ToString(out.LogGroups[0].LogGroupName) != want {
			t.Errorf("%s holds %d log groups, want only %s", region, len(out.LogGroups), want)
		}
	}
	if !strings.Contains(stdout, "LogGroup/east-lg created in us-east-1") || !strings.Contains(stdout, "LogGroup/home-lg created\n") {
		t.Errorf("stdout does not say where each was created:\n%s", stdout)
	}
}
