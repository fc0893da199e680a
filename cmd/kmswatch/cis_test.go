package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/presets"
)

const (
	cisExample = "../../examples/cis-aws-foundations.yaml"
	// cisEvents holds one real-shaped CloudTrail record per control, CloudWatch.1 to .14 in order.
	cisEvents = "../../examples/events/security-hub-cis.jsonl"
	// The example's account and region.
	cisAccount = "111122223333"
	cisRegion  = "us-east-1"
	// quiet is long enough for a preset alarm (5-minute period, 1 evaluation period) to forget
	// a datapoint: past its evaluation range of 3 periods.
	quiet = 20 * time.Minute
)

// TestCISAlarmsFireInTheEmulator is the CIS preset end to end: examples/cis-aws-foundations.yaml
// converged by kmswatch's controller on the emulator (its SQS subscriber, in the account, is
// confirmed at once); then, one control at a time, that control's event from
// examples/events/security-hub-cis.jsonl happens (RecordEvent), the trail delivers it, the
// metric filter counts it, and exactly that control's alarm goes to ALARM and notifies the topic's
// subscriber. `kmswatch test` on the same file names, for each event, the same alarm.
func TestCISAlarmsFireInTheEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := awsemu.New(awsemu.Options{Region: cisRegion, AccountID: cisAccount, Start: time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)})
	e.SetTrailDeliveryDelay(0) // which alarm fires is the question here, not how soon
	cfg := aws.Config{Region: cisRegion, BaseEndpoint: aws.String("http://127.0.0.1:1"), HTTPClient: awsemu.InProcessClient(e),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDCIS", "secret", "")}
	f, err := spec.Load(cisExample)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range f.Monitors {
		e.SeedBucket(m.Spec.Trail.S3BucketName)
		e.SeedRole(m.Spec.Trail.CloudWatchLogsRoleArn)
	}
	c := reconcile.NewController(awsclient.New(cfg, awsclient.Options{}),
		reconcile.Env{Partition: "aws", Region: cisRegion, AccountID: cisAccount}, logr.Discard(), reconcile.Options{})
	res, err := c.Reconcile(ctx, f.Monitors, false)
	if got := reconcile.Classify(res, err, false); got != reconcile.OutcomeInSync {
		t.Fatalf("converge: %s, %v", got, err)
	}
	if res, err = c.Reconcile(ctx, f.Monitors, false); err != nil || res.Failed() || awsop.Writes(res.Calls) != 0 {
		t.Fatalf("second pass: %v, %d writes", err, awsop.Writes(res.Calls))
	}
	for _, ch := range res.Changes {
		if ch.Kind == reconcile.KindSubscription && ch.State != "Confirmed" {
			t.Fatalf("%s is %s: the example's subscriber must be confirmed for alarms to reach anyone", ch.ID, ch.State)
		}
	}

	cw := cloudwatch.NewFromConfig(cfg)
	states := func() map[string]cwtypes.StateValue {
		t.Helper()
		out := map[string]cwtypes.StateValue{}
		p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.MetricAlarms {
				out[aws.ToString(a.AlarmName)] = a.StateValue
			}
		}
		return out
	}
	alarming := func() []string {
		var names []string
		for name, st := range states() {
			if st != cwtypes.StateValueOk {
				names = append(names, name+"="+string(st))
			}
		}
		slices.Sort(names)
		return names
	}
	// Creating and starting the trail is itself a CloudWatch.5 event: let the alarms settle. An
	// alarm evaluates its last datapoint within EvaluationPeriods+2 periods (15 minutes here).
	e.Advance(quiet)
	if got := alarming(); len(got) != 0 {
		t.Fatalf("after converging and %v of quiet, alarms not OK: %v", quiet, got)
	}

	events := readLines(t, cisEvents)
	controls := presets.CISControls()
	if len(events) != len(controls) {
		t.Fatalf("%d events in %s, want one per control (%d)", len(events), cisEvents, len(controls))
	}
	fired := make([]string, len(events))
	for i, ev := range events {
		want := controls[i].AlarmName()
		sent := len(e.Outbox())
		if err := e.RecordEvent([]byte(ev)); err != nil {
			t.Fatalf("%s: record: %v", controls[i].ID, err)
		}
		// Delivered at the next minute, counted for its minute, evaluated at the next 5-minute
		// boundary.
		e.Advance(6 * time.Minute)
		if got := alarming(); !slices.Equal(got, []string{want + "=ALARM"}) {
			t.Fatalf("%s: alarms not OK %v, want only %s in ALARM", controls[i].ID, got, want)
		}
		fired[i] = want
		var subjects []string
		for _, d := range e.Outbox()[sent:] {
			if d.Type == "Notification" {
				subjects = append(subjects, d.Protocol+" "+d.Endpoint+" "+d.Subject)
			}
		}
		wantSubject := `sqs arn:aws:sqs:us-east-1:111122223333:security-events ALARM: "` + want + `" in US East (N. Virginia)`
		if !slices.Equal(subjects, []string{wantSubject}) {
			t.Fatalf("%s: notifications %q, want %q", controls[i].ID, subjects, wantSubject)
		}
		// Quiet takes it back to OK before the next control's event.
		e.Advance(quiet)
		if got := alarming(); len(got) != 0 {
			t.Fatalf("%s: %v of quiet later, alarms not OK: %v", controls[i].ID, quiet, got)
		}
	}

	code, out, errs := runCmd(t, "test", "-f", cisExample, "--events", cisEvents, "--output", "json")
	if code != exitOK {
		t.Fatalf("kmswatch test: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(events) {
		t.Fatalf("kmswatch test printed %d lines for %d events", len(lines), len(events))
	}
	for i, line := range lines {
		var r struct {
			Index   int      `json:"index"`
			Matches []string `json:"matches"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("kmswatch test line %q: %v", line, err)
		}
		if r.Index != i || !slices.Equal(r.Matches, []string{fired[i]}) {
			t.Errorf("kmswatch test, event %d: %v; the emulator's pipeline fired %s", i, r.Matches, fired[i])
		}
	}
}

// readLines reads a JSON-lines file.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSandboxOrganizationTrail: --sandbox seeds what an organization trail presumes — an
// organization the account manages — so that a spec with one converges there too.
func TestSandboxOrganizationTrail(t *testing.T) {
	file := filepath.Join(t.TempDir(), "org.yaml")
	if err := os.WriteFile(file, []byte(`apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: org}
spec:
  region: us-east-1
  trail: {name: org-trail, s3BucketName: org-trail-bucket, cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/CloudTrailToLogs", organization: true}
  logGroup: {name: org-logs}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "--sandbox", "--once", "-f", file)
	if code != exitOK || !strings.Contains(out, "Trail/org-trail created") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}
