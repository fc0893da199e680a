package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata, then fail so that the new files are reviewed")

// golden compares got with testdata/name. Under -update it writes the file and fails: a test that
// rewrote its own golden file has compared nothing, so it cannot pass.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Errorf("rewrote %s: review it, then run the test without -update", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (go test -run TestOutputGolden -update writes it): %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

// requestIDs are the only part of an AWS error message that changes from run to run.
var requestIDs = regexp.MustCompile(`RequestID: [0-9a-f-]+`)

// TestOutputGolden renders real passes over testdata/lab.yaml — a plan and its apply — in both
// output formats. The account holds every kind of line: the lab converged, then the alarm's
// threshold raised behind kmswatch's back (an update, with its field), the email subscription
// pending, someone else's alarm under the name of an alarm the edited spec adds (a conflict), the
// trail and the sqs subscription dropped from the spec (kept, deleted), a new alarm whose
// creation fails (a failed create, and its filter skipped).
func TestOutputGolden(t *testing.T) {
	ctx := context.Background()
	e := awsemu.New(awsemu.Options{Region: "ap-southeast-2", AccountID: "111122223333"})
	srv, err := awsemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e.SeedBucket("pattern1-trail-bucket")
	e.SeedRole("arn:aws:iam::111122223333:role/CloudTrailToLogs")
	cfg := aws.Config{Region: "ap-southeast-2", BaseEndpoint: aws.String(srv.URL), HTTPClient: awsemu.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDGOLDEN", "secret", "")}
	clients := awsclient.New(cfg, awsclient.Options{MaxAttempts: 1})
	c := reconcile.NewController(clients, reconcile.Env{Partition: "aws", Region: "ap-southeast-2", AccountID: "111122223333"},
		logr.Discard(), reconcile.Options{})

	lab := readLab(t)
	if res, err := c.Reconcile(ctx, mustLoad(t, lab), false); err != nil || res.Failed() {
		t.Fatalf("converge the lab: %v", err)
	}
	cw := cloudwatch.NewFromConfig(cfg)
	setThreshold := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("pattern1-logging-alarm"),
		Namespace: aws.String("Pattern1Application/KMSSecurity"), MetricName: aws.String("KMSSecurityError"), Statistic: "Sum",
		Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(50), ComparisonOperator: "GreaterThanOrEqualToThreshold",
		TreatMissingData: aws.String("notBreaching"), AlarmActions: []string{"arn:aws:sns:ap-southeast-2:111122223333:pattern1-logging-topic"},
		AlarmDescription: aws.String("Failed KMS calls made by the application's task role")}
	must(t, func() error { _, err := cw.PutMetricAlarm(ctx, setThreshold); return err }())
	must(t, func() error {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("theirs"), Namespace: aws.String("X"),
			MetricName: aws.String("Y"), Statistic: "Sum", Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: "GreaterThanThreshold"})
		return err
	}())

	edited := editLab(t, lab)
	for _, dry := range []bool{true, false} {
		if !dry {
			e.Instruments().InjectFault(awsemu.Fault{Service: "cloudwatch", Op: "PutMetricAlarm", Kind: awsemu.Throttle, Nth: 1})
		}
		res, err := c.Reconcile(ctx, edited, dry)
		name := map[bool]string{true: "dryrun", false: "apply"}[dry]
		if code := exitCode(res, err, dry); code != exitFailed { // the conflict fails both
			t.Errorf("%s: exit code %d, want %d (err %v)", name, code, exitFailed, err)
		}
		var text, jsonl bytes.Buffer
		must(t, writeText(&text, res, dry))
		must(t, writeJSON(&jsonl, res, dry))
		golden(t, "output-"+name+".txt.golden", requestIDs.ReplaceAll(text.Bytes(), []byte("RequestID: <id>")))
		golden(t, "output-"+name+".jsonl.golden", requestIDs.ReplaceAll(jsonl.Bytes(), []byte("RequestID: <id>")))
		checkJSONLines(t, jsonl.Bytes(), dry)
	}
}

// checkJSONLines: every line stands alone, carries the keys users rely on, in their order, and
// says applied=false under a dry run. A Monitor's pipeline line, after the resources', has an id,
// kind Pipeline, a name and a status, and no action: it is not a resource.
func checkJSONLines(t *testing.T, out []byte, dry bool) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("not one JSON object: %s: %v", line, err)
		}
		if obj["kind"] == "Pipeline" {
			if !strings.HasPrefix(line, `{"id":"Pipeline/`) || obj["status"] == nil || obj["action"] != nil {
				t.Errorf("pipeline line: %s", line)
			}
			continue
		}
		if !strings.HasPrefix(line, `{"id":`) || !strings.Contains(line, `,"kind":`) || !strings.Contains(line, `,"action":`) {
			t.Errorf("key order: %s", line)
		}
		if dry && obj["applied"] != false {
			t.Errorf("applied under a dry run: %s", line)
		}
	}
}

func readLab(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../reconcile/testdata/lab.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// editLab drops the trail and the sqs subscription from the lab and adds two alarms: "theirs",
// whose name someone else's alarm holds, and "added".
func editLab(t *testing.T, lab string) []spec.Monitor {
	t.Helper()
	y := regexp.MustCompile(`(?s)  trail:.*?  logGroup:`).ReplaceAllString(lab, "  logGroup:")
	y = strings.Replace(y, "        - {protocol: sqs, endpoint: \"arn:aws:sqs:ap-southeast-2:111122223333:pager\"}\n", "", 1)
	for _, name := range []string{"added", "theirs"} {
		y += "    - {name: " + name + ", filterPattern: '{ $.eventName = \"" + name + "\" }', metric: {namespace: NS, name: " + name +
			"}, period: 60s, threshold: 1, comparison: GreaterThanThreshold, alarmActions: [pattern1-logging-topic]}\n"
	}
	return mustLoad(t, y)
}

func mustLoad(t *testing.T, y string) []spec.Monitor {
	t.Helper()
	f, err := spec.LoadBytes([]byte(y), "lab.yaml")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return f.Monitors
}

// TestOutputNamesTheRegionOutsideTheDefault: ids are unique per region only, so a line outside
// the default region says which.
func TestOutputNamesTheRegionOutsideTheDefault(t *testing.T) {
	var b strings.Builder
	r := &reconcile.Result{Changes: []reconcile.Change{
		{ID: "Alarm/a", Kind: reconcile.KindAlarm, Name: "a", Action: reconcile.ActionCreate, Applied: true},
		{ID: "Alarm/a", Kind: reconcile.KindAlarm, Name: "a", Action: reconcile.ActionDelete, Applied: true, Region: "us-east-1"},
	}}
	if err := writeText(&b, r, false); err != nil {
		t.Fatal(err)
	}
	if want := "Alarm/a created\nAlarm/a deleted in us-east-1\n"; b.String() != want {
		t.Errorf("text %q, want %q", b.String(), want)
	}
	b.Reset()
	if err := writeJSON(&b, r, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || strings.Contains(lines[0], `"region"`) || !strings.Contains(lines[1], `"region":"us-east-1"`) {
		t.Errorf("json:\n%s", b.String())
	}
}
