package reconcile_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
	"github.com/kmswatch/kmswatch/spec"
)

// TestHeartbeatFreshDeployStaysOKForADay: from an empty account, the first pass creates the
// heartbeat's filter and waits to create its alarm; once the first heartbeat has come through
// CloudTrail (minutes later), the alarm is created and starts OK — and through a day of healthy
// operation it never leaves OK, and nobody is told anything.
func TestHeartbeatFreshDeployStaysOKForADay(t *testing.T) {
	t.Parallel()
	l := newHBLab(t, hbSpec(t, hbOwnTrail))
	l.interval = 15 * time.Minute
	first := l.pass(false)
	sw := findLine(first, "Alarm/"+hbSwitch)
	if sw == nil || sw.Action != reconcile.ActionNoop || sw.State != reconcile.StateAwaitingHeartbeat {
		t.Fatalf("the switch on the first pass: %+v", sw)
	}
	if f := findLine(first, "MetricFilter/"+hbGroup+"/"+hbSwitch); f == nil || f.Action != reconcile.ActionCreate {
		t.Fatalf("the heartbeat's filter on the first pass: %+v", f)
	}
	if got := reconcile.Classify(first, nil, false); got != reconcile.OutcomeInSync {
		t.Errorf("first pass: %s", got)
	}
	if p := first.Pipelines; len(p) != 1 || p[0].Heartbeat == nil || p[0].Heartbeat.State != pipeline.HeartbeatNotArmed {
		t.Fatalf("pipeline on the first pass: %+v", p)
	}
	// The pass right after writes nothing: waiting is not a change.
	if w := awsop.Writes(l.pass(false).Calls); w != 0 {
		t.Errorf("the second pass made %d writes", w)
	}
	armedBy := l.run(time.Hour, true, false, func() bool { return l.switchState() != "" })
	t.Logf("the switch was created %v after the first pass (CloudTrail delivers in %v, a pass every %v)", armedBy, awsemu.DefaultTrailDeliveryDelay, l.interval)
	if armedBy > awsemu.DefaultTrailDeliveryDelay+l.interval+time.Minute {
		t.Fatalf("the switch was armed only after %v", armedBy)
	}
	l.run(24*time.Hour, true, false, nil)
	if h := l.switchHistory(); len(h) != 1 || !strings.Contains(h[0], "from INSUFFICIENT_DATA to OK") {
		t.Errorf("the switch's history over a day: %q, want one change, INSUFFICIENT_DATA to OK", h)
	}
	if n := l.switchNotifications(); len(n) != 0 {
		t.Errorf("the switch cried wolf: %+v", n)
	}
	res := l.pass(false)
	if line := res.Pipelines[0].Line(l.e.Now()); !strings.HasPrefix(line, "Pipeline/lab live (last event") || !strings.HasSuffix(line, "heartbeat OK)") {
		t.Errorf("pipeline line after a day: %s", line)
	}
	if w := awsop.Writes(res.Calls); w != 0 {
		t.Errorf("a pass after a day made %d writes", w)
	}
}

// TestHeartbeatSwitchFires: for each way the pipeline breaks that kmswatch does not or cannot
// repair — a trail it does not manage stopped or stripped of KMS events, CloudTrail's role unable
// to write logs, the log group or the heartbeat's filter deleted while kmswatch's repairs are
// denied, and kmswatch itself stopped — the switch reaches ALARM and the subscriber is told.
//
// The bound. The alarm looks at alarmAfter of one-minute periods (30 × 1m). From the breakage it
// fires within alarmAfter plus one period, plus what the model of AWS adds: heartbeats already
// made still arrive for CloudTrail's delivery delay (5m) and on the next whole minute (1m), and
// CloudWatch evaluates a breaching alarm over an evaluation range two periods longer than
// evaluationPeriods (the emulator's N+2, after the example of
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html), so
// the last heartbeat's datapoint keeps it OK two periods more (2m). It never fires before a whole
// alarmAfter has passed without a heartbeat.
func TestHeartbeatSwitchFires(t *testing.T) {
	t.Parallel()
	const period = time.Minute
	bound := hbAlarmWait + period + awsemu.DefaultTrailDeliveryDelay + period + 2*period
	denyRepairs := func(l *hbLab) {
		for _, op := range []string{"CreateLogGroup", "PutMetricFilter"} {
			l.e.Instruments().InjectFault(awsemu.Fault{Service: "logs", Op: op, Kind: awsemu.Deny})
		}
	}
	cases := []struct {
		name          string
		brk           func(l *hbLab, ct *cloudtrail.Client)
		kmswatchRuns  bool
		deliveryError string // a GetTrailStatus field the pass then reports
	}{
		{"trail stopped", func(l *hbLab, ct *cloudtrail.Client) {
			mustDo(t, func() error {
				_, err := ct.StopLogging(context.Background(), &cloudtrail.StopLoggingInput{Name: aws.String("org-trail")})
				return err
			})
		}, true, ""},
		{"KMS excluded", func(l *hbLab, ct *cloudtrail.Client) {
			mustDo(t, func() error {
				_, err := ct.PutEventSelectors(context.Background(), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("org-trail"),
					EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
						ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}})
				return err
			})
		}, true, ""},
		{"CloudWatch Logs role broken", func(l *hbLab, _ *cloudtrail.Client) { l.e.DenyRoleLogs(hbCTRole) }, true, "LatestCloudWatchLogsDeliveryError"},
		{"log group deleted", func(l *hbLab, _ *cloudtrail.Client) {
			mustDo(t, func() error {
				_, err := cloudwatchlogs.NewFromConfig(l.admin).DeleteLogGroup(context.Background(), &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(hbGroup)})
				return err
			})
			denyRepairs(l)
		}, true, "LatestCloudWatchLogsDeliveryError"},
		{"heartbeat filter deleted", func(l *hbLab, _ *cloudtrail.Client) {
			mustDo(t, func() error {
				_, err := cloudwatchlogs.NewFromConfig(l.admin).DeleteMetricFilter(context.Background(),
					&cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(hbGroup), FilterName: aws.String(hbSwitch)})
				return err
			})
			denyRepairs(l)
		}, true, ""},
		{"kmswatch stopped", func(*hbLab, *cloudtrail.Client) {}, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newHBLab(t, hbSpec(t, ""))
			l.pass(false) // the log group, topic, alarms; the switch waits
			ct := l.createForeignTrail()
			l.run(45*time.Minute, true, false, nil)
			if s := l.switchState(); s != "OK" {
				t.Fatalf("the healthy switch is %q after 45m", s)
			}
			tc.brk(l, ct)
			took := l.run(2*bound, tc.kmswatchRuns, true, func() bool { return l.switchState() == "ALARM" })
			quiet := l.e.Now().Sub(l.lastArrival())
			t.Logf("ALARM %v after the breakage, %v after the last heartbeat arrived (bound %v)", took, quiet, bound)
			if l.switchState() != "ALARM" || took > bound {
				t.Fatalf("the switch is %s %v after the breakage, want ALARM within %v", l.switchState(), took, bound)
			}
			if quiet < hbAlarmWait {
				t.Errorf("the switch fired %v after the last heartbeat arrived, before alarmAfter (%v)", quiet, hbAlarmWait)
			}
			// Measured from what the alarm can see — the last heartbeat to arrive — it fires
			// within alarmAfter plus one period, and the evaluation range's two periods more.
			if limit := hbAlarmWait + period + 2*period; quiet > limit {
				t.Errorf("the switch fired %v after the last heartbeat arrived, want within %v", quiet, limit)
			}
			if n := l.switchNotifications(); len(n) != 1 || n[0].TopicArn != "arn:aws:sns:ap-southeast-2:111122223333:lab-alerts" {
				t.Errorf("notifications of the switch: %+v", n)
			}
			if !tc.kmswatchRuns {
				return
			}
			// kmswatch's own pass says so too: the pipeline is broken, --once exits 1.
			res := l.pass(true)
			if len(res.Pipelines) != 1 || !res.Pipelines[0].Broken() || reconcile.Classify(res, nil, false) != reconcile.OutcomeFailed {
				t.Fatalf("pipeline after the switch fired: %+v", res.Pipelines)
			}
			line := res.Pipelines[0].Line(l.e.Now())
			if !strings.Contains(line, "heartbeat ALARM") || (tc.deliveryError != "" && !strings.Contains(line, tc.deliveryError)) {
				t.Errorf("pipeline line %s", line)
			}
			t.Log(line)
		})
	}
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

// TestHeartbeatRepairedBreakageDoesNotFire: when kmswatch repairs the breakage itself — the
// heartbeat's filter deleted, its own trail stopped — within a pass, heartbeats keep arriving and
// the switch stays OK: it fires for what nobody fixes, not for every blip.
func TestHeartbeatRepairedBreakageDoesNotFire(t *testing.T) {
	t.Parallel()
	l := newHBLab(t, hbSpec(t, hbOwnTrail))
	l.interval = time.Minute
	l.run(40*time.Minute, true, false, nil)
	if s := l.switchState(); s != "OK" {
		t.Fatalf("switch %q", s)
	}
	ctx := context.Background()
	mustDo(t, func() error {
		_, err := cloudwatchlogs.NewFromConfig(l.admin).DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(hbGroup), FilterName: aws.String(hbSwitch)})
		return err
	})
	mustDo(t, func() error {
		_, err := cloudtrail.NewFromConfig(l.admin).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("lab-trail")})
		return err
	})
	l.run(time.Hour, true, false, nil)
	if h := l.switchHistory(); len(h) != 1 || l.switchState() != "OK" {
		t.Errorf("the switch over the repaired hour: %q, now %s", h, l.switchState())
	}
}

// TestPipelineChecksCost: judging the pipeline costs a converged pass nothing when the trails'
// own status proves delivery — the switch's alarm and filter are read with the others, the same
// calls as without a heartbeat, and no GetMetricData — and one GetMetricData for the region when a
// log group must be checked for staleness. A heartbeat is one kms:ListAliases.
func TestPipelineChecksCost(t *testing.T) {
	t.Parallel()
	steady := func(ms []spec.Monitor) map[string]int {
		l := newHBLab(t, ms)
		l.interval = time.Minute
		l.run(time.Hour, true, false, nil)
		res := l.pass(false)
		if awsop.Writes(res.Calls) != 0 {
			t.Fatalf("a converged pass wrote: %v", res.Calls)
		}
		return res.Calls
	}
	withSwitch := steady(hbSpec(t, hbOwnTrail))
	without := steady(loadText(t, strings.Replace(hbSpecText(hbOwnTrail), "  heartbeat: {every: 5m, alarmAfter: 30m}\n", "", 1)))
	if d := cmp.Diff(without, withSwitch); d != "" {
		t.Errorf("a converged pass with a heartbeat costs more than without (-without +with):\n%s", d)
	}
	if withSwitch["cloudwatch:GetMetricData"] != 0 {
		t.Errorf("a converged pass whose trail delivers read metrics: %v", withSwitch)
	}
	t.Logf("a converged pass: %d calls: %v", totalCalls(withSwitch), withSwitch)

	// A log group whose (foreign) trail logs but delivers nothing any more — its selectors take
	// no management event — is checked with one GetMetricData per pass, and found stale.
	l := newHBLab(t, hbSpec(t, ""))
	l.pass(false)
	ct := l.createForeignTrail()
	l.run(45*time.Minute, true, false, nil)
	mustDo(t, func() error {
		_, err := ct.PutEventSelectors(context.Background(), &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("org-trail"),
			EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false)}}})
		return err
	})
	l.run(40*time.Minute, true, true, nil)
	res := l.pass(true)
	if n := res.Calls["cloudwatch:GetMetricData"]; n != 1 {
		t.Errorf("a pass over a silent log group made %d GetMetricData calls, want 1: %v", n, res.Calls)
	}
	if p := res.Pipelines[0]; !strings.Contains(p.Line(l.e.Now()), "no event reached the log group in the last 30m (staleAfter), although trail org-trail is logging to it") {
		t.Errorf("pipeline of a silent log group: %s", p.Line(l.e.Now()))
	}
	before := l.e.Instruments().Calls()["kms:ListAliases"]
	l.heartbeat()
	if n := l.e.Instruments().Calls()["kms:ListAliases"] - before; n != 1 {
		t.Errorf("a heartbeat made %d kms:ListAliases calls, want 1", n)
	}
}
