package awsemu

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestCloudTrailDeliveryDelay: by default a record reaches the log group about five minutes after
// its call (DefaultTrailDeliveryDelay), not at the next tick; the delay is configurable.
func TestCloudTrailDeliveryDelay(t *testing.T) {
	e, cfg := logsEnv(t)
	e.SeedBucket("trail-bucket")
	e.SeedRole(ctRole)
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(cfg)
	logsCreateGroup(t, logs, ctGroup)
	ct := cloudtrail.NewFromConfig(cfg)
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	since := e.Now()
	if _, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatal(err)
	}
	e.Advance(DefaultTrailDeliveryDelay - time.Minute)
	if got := ctDelivered(t, logs, since); len(got) != 0 {
		t.Fatalf("delivered %v within %v of the call", got, DefaultTrailDeliveryDelay-time.Minute)
	}
	e.Advance(time.Minute)
	if got := strings.Join(ctDelivered(t, logs, since), ","); got != "us-east-1 cloudtrail:StartLogging,us-east-1 logs:DescribeLogGroups" {
		t.Fatalf("delivered %q after %v, want StartLogging's and DescribeLogGroups' records", got, DefaultTrailDeliveryDelay)
	}
	e.SetTrailDeliveryDelay(2 * time.Minute)
	at := e.Now()
	if _, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatal(err)
	}
	e.Advance(time.Minute)
	if got := ctDelivered(t, logs, at); len(got) != 0 {
		t.Fatalf("delivered %v a minute after the call with a 2m delay", got)
	}
	e.Advance(time.Minute)
	if got := ctDelivered(t, logs, at); len(got) != 1 {
		t.Fatalf("delivered %v two minutes after the call with a 2m delay", got)
	}
}

// trailStatus reads GetTrailStatus of "main".
func trailStatus(t *testing.T, ct *cloudtrail.Client) *cloudtrail.GetTrailStatusOutput {
	t.Helper()
	st, err := ct.GetTrailStatus(context.Background(), &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCloudTrailDeliveryErrors: each way the delivery breaks shows in GetTrailStatus as AWS
// reports it — the S3 error with the attempt times that say whether it is current, the
// CloudWatch Logs error while it lasts — and the records of a failed delivery to CloudWatch Logs
// are lost to the log group.
func TestCloudTrailDeliveryErrors(t *testing.T) {
	e, cfg := ctEnv(t)
	ctx := context.Background()
	ct, logs, k := cloudtrail.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg), kms.NewFromConfig(cfg)
	key := kmsMustKey(t, k, "trail key")
	ctCreate(t, ct, &cloudtrail.CreateTrailInput{Name: aws.String("main"), KmsKeyId: key.Arn, EnableLogFileValidation: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String(ctGroupAr), CloudWatchLogsRoleArn: aws.String(ctRole)})
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	call := func() {
		t.Helper()
		if _, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
			t.Fatal(err)
		}
		e.Advance(time.Minute)
	}
	call()
	st := trailStatus(t, ct)
	if st.LatestDeliveryError != nil || st.LatestCloudWatchLogsDeliveryError != nil || st.LatestDeliveryTime == nil ||
		aws.ToString(st.LatestDeliveryAttemptTime) != aws.ToString(st.LatestDeliveryAttemptSucceeded) {
		t.Fatalf("healthy trail: %+v", st)
	}
	s3Cases := []struct {
		name   string
		break_ func()
		fix    func()
		want   string
	}{
		{"bucket deleted", func() { e.DeleteBucket("trail-bucket") }, func() { e.SeedBucket("trail-bucket") }, "NoSuchBucket"},
		{"key disabled", func() { kmsSetEnabled(t, k, key.KeyId, false) }, func() { kmsSetEnabled(t, k, key.KeyId, true) }, "KMS.DisabledException"},
	}
	for _, tc := range s3Cases {
		tc.break_()
		call()
		st := trailStatus(t, ct)
		if got := aws.ToString(st.LatestDeliveryError); got != tc.want {
			t.Errorf("%s: LatestDeliveryError %q, want %q", tc.name, got, tc.want)
		}
		if aws.ToString(st.LatestDeliveryAttemptTime) <= aws.ToString(st.LatestDeliveryAttemptSucceeded) {
			t.Errorf("%s: the failed attempt (%s) is not after the last success (%s)", tc.name,
				aws.ToString(st.LatestDeliveryAttemptTime), aws.ToString(st.LatestDeliveryAttemptSucceeded))
		}
		if st.LatestCloudWatchLogsDeliveryError != nil {
			t.Errorf("%s: an S3 failure broke CloudWatch Logs delivery: %s", tc.name, aws.ToString(st.LatestCloudWatchLogsDeliveryError))
		}
		tc.fix()
		call()
		st = trailStatus(t, ct)
		// The text stays; the attempt times say a later attempt succeeded.
		if aws.ToString(st.LatestDeliveryAttemptTime) != aws.ToString(st.LatestDeliveryAttemptSucceeded) {
			t.Errorf("%s fixed: attempt %s, succeeded %s", tc.name, aws.ToString(st.LatestDeliveryAttemptTime), aws.ToString(st.LatestDeliveryAttemptSucceeded))
		}
	}
	logsCases := []struct {
		name       string
		break_     func()
		fix        func()
		wantPrefix string
	}{
		{"role deleted", func() { e.DeleteRole(ctRole) }, func() { e.SeedRole(ctRole) }, "InvalidCloudWatchLogsRoleArnException: "},
		{"role may not write logs", func() { e.DenyRoleLogs(ctRole) }, func() { e.AllowRoleLogs(ctRole) },
			"AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/CloudTrailToLogs/CloudTrailSession is not authorized to perform: logs:PutLogEvents"},
		{"log group deleted", func() {
			if _, err := logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(ctGroup)}); err != nil {
				t.Fatal(err)
			}
		}, func() { logsCreateGroup(t, logs, ctGroup) }, "ResourceNotFoundException: "},
	}
	for _, tc := range logsCases {
		tc.break_()
		before := e.Now()
		call()
		st := trailStatus(t, ct)
		if got := aws.ToString(st.LatestCloudWatchLogsDeliveryError); !strings.HasPrefix(got, tc.wantPrefix) {
			t.Errorf("%s: LatestCloudWatchLogsDeliveryError %q, want %q…", tc.name, got, tc.wantPrefix)
		}
		if aws.ToTime(st.LatestCloudWatchLogsDeliveryTime).After(before) {
			t.Errorf("%s: LatestCloudWatchLogsDeliveryTime moved to %v", tc.name, st.LatestCloudWatchLogsDeliveryTime)
		}
		tc.fix()
		call()
		if st := trailStatus(t, ct); st.LatestCloudWatchLogsDeliveryError != nil {
			t.Errorf("%s fixed: error still %q", tc.name, aws.ToString(st.LatestCloudWatchLogsDeliveryError))
		}
	}
	// Digest files go hourly, with the same S3 failures.
	kmsSetEnabled(t, k, key.KeyId, false)
	e.Advance(time.Hour)
	if got := aws.ToString(trailStatus(t, ct).LatestDigestDeliveryError); got != "KMS.DisabledException" {
		t.Errorf("LatestDigestDeliveryError %q with the key disabled", got)
	}
}

func kmsSetEnabled(t *testing.T, k *kms.Client, id *string, enabled bool) {
	t.Helper()
	var err error
	if enabled {
		_, err = k.EnableKey(context.Background(), &kms.EnableKeyInput{KeyId: id})
	} else {
		_, err = k.DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: id})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestLogsIncomingMetrics: every ingestion, through PutLogEvents or CloudTrail's delivery, is
// counted per log group in AWS/Logs IncomingLogEvents and IncomingBytes, which GetMetricData
// reads for several log groups in one call.
func TestLogsIncomingMetrics(t *testing.T) {
	e, cfg := ctEnv(t)
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(cfg)
	logsCreateGroup(t, logs, "quiet")
	logsCreateStream(t, logs, ctGroup, "app")
	t0 := e.Now()
	logsPutEvents(t, logs, ctGroup, "app", t0, `hello`, `world!`)
	e.Advance(3 * time.Minute)
	logsPutEvents(t, logs, ctGroup, "app", e.Now(), `again`)
	e.Advance(time.Minute)
	q := func(id, metric, group string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Logs"), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("LogGroupName"), Value: aws.String(group)}}}}}
	}
	out, err := cloudwatch.NewFromConfig(cfg).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(t0.Add(-time.Hour)), EndTime: aws.Time(e.Now()), ScanBy: cwtypes.ScanByTimestampDescending,
		MetricDataQueries: []cwtypes.MetricDataQuery{q("events", "IncomingLogEvents", ctGroup), q("bytes", "IncomingBytes", ctGroup), q("quiet", "IncomingLogEvents", "quiet")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range out.MetricDataResults {
		for i, ts := range r.Timestamps {
			got[aws.ToString(r.Id)] = append(got[aws.ToString(r.Id)], ts.Format("15:04")+"="+formatValue(r.Values[i]))
		}
	}
	want := map[string][]string{"events": {"05:09=1", "05:06=2"}, "bytes": {"05:09=5", "05:06=11"}}
	if strings.Join(got["events"], " ") != strings.Join(want["events"], " ") || strings.Join(got["bytes"], " ") != strings.Join(want["bytes"], " ") || len(got["quiet"]) != 0 {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func formatValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TestSTSGetCallerIdentity: STS answers who signed, as the world's principals say.
func TestSTSGetCallerIdentity(t *testing.T) {
	e := New(Options{AccountID: "111122223333"})
	e.AddUser("AKIDUSER", "kmswatch")
	e.AddRoleSession("ASIATASK", "arn:aws:iam::111122223333:role/app/TaskRole", "0f1e2d3c")
	for key, want := range map[string]string{
		"AKIDUSER":    "arn:aws:iam::111122223333:user/kmswatch",
		"ASIATASK":    "arn:aws:sts::111122223333:assumed-role/TaskRole/0f1e2d3c",
		"AKIDUNKNOWN": "arn:aws:iam::111122223333:user/emulator-user",
	} {
		out, err := sts.NewFromConfig(emuConfig(e, key)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if aws.ToString(out.Arn) != want || aws.ToString(out.Account) != "111122223333" || aws.ToString(out.UserId) == "" {
			t.Errorf("%s: %s %s %s, want %s", key, aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId), want)
		}
	}
}
