package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/spec"
)

// The heartbeat's lab: an emulated account on the emulated clock, kmswatch running as an ECS
// sidecar (a session of the task role, which the lab's errors alarm watches), CloudTrail's default
// delivery delay, and a driver that plays the daemon's schedule — a pass every interval, a
// heartbeat every 5 minutes — minute by minute, so that a day takes seconds.

const (
	hbAccount   = "111122223333"
	hbRegion    = "ap-southeast-2"
	hbTaskRole  = "arn:aws:iam::111122223333:role/lab-task"
	hbCTRole    = "arn:aws:iam::111122223333:role/CloudTrailToLogs"
	hbBucket    = "lab-trail-bucket"
	hbKMSWatch  = "ASIAKMSWATCHSIDECAR"
	hbAdmin     = "AKIAADMIN"
	hbGroup     = "lab-logs"
	hbSwitch    = "lab-heartbeat"
	hbQueue     = "arn:aws:sqs:ap-southeast-2:111122223333:secops"
	hbAlarmWait = 30 * time.Minute
)

// hbSpec is the lab's Monitor: the errors alarm on the task role, an sqs subscriber (confirmed
// at once), the heartbeat; trail is its spec.trail block ("" for a trail it does not manage).
func hbSpec(t *testing.T, trail string) []spec.Monitor {
	t.Helper()
	return loadText(t, hbSpecText(trail))
}

func hbSpecText(trail string) string {
	return `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: lab}
spec:
` + trail + `  logGroup: {name: lab-logs, retentionInDays: 7}
  topics: [{name: lab-alerts, subscriptions: [{protocol: sqs, endpoint: "` + hbQueue + `"}]}]
  alarms:
    - name: lab-errors
      match: {eventSource: kms.amazonaws.com, errorsOnly: true, principalArn: "` + hbTaskRole + `"}
      metric: {namespace: Lab/KMS, name: Errors}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [lab-alerts]
  heartbeat: {every: 5m, alarmAfter: 30m}
`
}

const hbOwnTrail = `  trail: {name: lab-trail, s3BucketName: ` + hbBucket + `, cloudWatchLogsRoleArn: "` + hbCTRole + `", multiRegion: false}
`

type hbLab struct {
	t     *testing.T
	e     *awsemu.Emulator
	ms    []spec.Monitor
	ctrl  *reconcile.Controller
	admin aws.Config
	cw    *cloudwatch.Client
	last  *reconcile.Result
	// interval is the daemon's --interval: a pass every interval while kmswatch runs.
	interval time.Duration
}

func newHBLab(t *testing.T, ms []spec.Monitor) *hbLab {
	t.Helper()
	e := awsemu.New(awsemu.Options{Region: hbRegion, AccountID: hbAccount, Start: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)})
	e.SeedBucket(hbBucket)
	e.SeedRole(hbCTRole)
	e.AddRoleSession(hbKMSWatch, hbTaskRole, "ecs-task-1")
	e.AddUser(hbAdmin, "admin")
	cfg := func(key string) aws.Config {
		return aws.Config{Region: hbRegion, HTTPClient: awsemu.InProcessClient(e), BaseEndpoint: aws.String("http://awsemu.invalid"),
			Credentials: credentials.NewStaticCredentialsProvider(key, "secret", ""), RetryMaxAttempts: 1}
	}
	// The account id is given, as --account-id does: the controller asks STS who it is only for
	// the heartbeat.
	env, err := reconcile.ResolveEnv(context.Background(), cfg(hbKMSWatch), hbAccount)
	if err != nil {
		t.Fatal(err)
	}
	clients := awsclient.New(cfg(hbKMSWatch), awsclient.Options{MaxAttempts: 1})
	l := &hbLab{t: t, e: e, ms: ms, admin: cfg(hbAdmin), cw: cloudwatch.NewFromConfig(cfg(hbAdmin)), interval: 5 * time.Minute,
		ctrl: reconcile.NewController(clients, env, logr.Discard(), reconcile.Options{Now: e.Now})}
	return l
}

// pass runs one pass; it fails the test on an error unless allowErr.
func (l *hbLab) pass(allowErr bool) *reconcile.Result {
	l.t.Helper()
	res, err := l.ctrl.Reconcile(context.Background(), l.ms, false)
	if err != nil && !allowErr {
		l.t.Fatalf("pass at %s: %v", l.e.Now().Format("15:04"), err)
	}
	l.last = res
	return res
}

func (l *hbLab) heartbeat() {
	l.t.Helper()
	if _, err := l.ctrl.Heartbeat(context.Background(), l.ms); err != nil {
		l.t.Fatalf("heartbeat: %v", err)
	}
}

// run plays d of the daemon's schedule, minute by minute: while kmswatch runs, a heartbeat every
// 5 minutes and a pass every interval (passes may fail when failing is allowed). It stops early
// when until says so, and returns how long it ran.
func (l *hbLab) run(d time.Duration, kmswatchRuns, allowErr bool, until func() bool) time.Duration {
	l.t.Helper()
	for m := time.Duration(0); m < d; m += time.Minute {
		if kmswatchRuns {
			if m%(5*time.Minute) == 0 {
				l.heartbeat()
			}
			if m%l.interval == 0 {
				l.pass(allowErr)
			}
		}
		l.e.Advance(time.Minute)
		if until != nil && until() {
			return m + time.Minute
		}
	}
	return d
}

// switchState is the switch alarm's state, "" while it does not exist.
func (l *hbLab) switchState() string {
	l.t.Helper()
	out, err := l.cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{hbSwitch}})
	if err != nil {
		l.t.Fatal(err)
	}
	if len(out.MetricAlarms) == 0 {
		return ""
	}
	return string(out.MetricAlarms[0].StateValue)
}

// switchHistory lists the switch's state changes, oldest first: "INSUFFICIENT_DATA→OK".
func (l *hbLab) switchHistory() []string {
	l.t.Helper()
	out, err := l.cw.DescribeAlarmHistory(context.Background(), &cloudwatch.DescribeAlarmHistoryInput{
		AlarmName: aws.String(hbSwitch), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate, ScanBy: cwtypes.ScanByTimestampAscending})
	if err != nil {
		l.t.Fatal(err)
	}
	var got []string
	for _, h := range out.AlarmHistoryItems {
		got = append(got, aws.ToString(h.HistorySummary))
	}
	return got
}

// lastArrival is the newest minute in which the heartbeat's metric counted a heartbeat.
func (l *hbLab) lastArrival() time.Time {
	l.t.Helper()
	now := l.e.Now()
	out, err := l.cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-6 * time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
		ScanBy: cwtypes.ScanByTimestampDescending, MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("h"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(spec.HeartbeatNamespace), MetricName: aws.String("lab")}, Period: aws.Int32(60), Stat: aws.String("Sum")}}}})
	if err != nil || len(out.MetricDataResults) != 1 {
		l.t.Fatalf("heartbeat metric: %v", err)
	}
	for i, ts := range out.MetricDataResults[0].Timestamps {
		if out.MetricDataResults[0].Values[i] > 0 {
			return ts
		}
	}
	return time.Time{}
}

// switchNotifications are the ALARM notifications of the switch the subscriber received.
func (l *hbLab) switchNotifications() []awsemu.Delivery {
	var out []awsemu.Delivery
	for _, d := range l.e.Outbox() {
		if d.Type == "Notification" && d.Endpoint == hbQueue && strings.Contains(d.Subject, `ALARM: "`+hbSwitch+`"`) {
			out = append(out, d)
		}
	}
	return out
}

// createForeignTrail has the admin create and start a trail, not kmswatch's, delivering to the
// Monitor's log group: a trail kmswatch reports on but never repairs.
func (l *hbLab) createForeignTrail() *cloudtrail.Client {
	l.t.Helper()
	ct := cloudtrail.NewFromConfig(l.admin)
	ctx := context.Background()
	_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String(hbBucket),
		CloudWatchLogsLogGroupArn: aws.String(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", hbRegion, hbAccount, hbGroup)),
		CloudWatchLogsRoleArn:     aws.String(hbCTRole)})
	if err != nil {
		l.t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")}); err != nil {
		l.t.Fatal(err)
	}
	return ct
}

func findLine(res *reconcile.Result, id string) *reconcile.Change {
	for i := range res.Changes {
		if res.Changes[i].ID == id {
			return &res.Changes[i]
		}
	}
	return nil
}
