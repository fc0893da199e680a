package reconcile_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
)

// heartbeatMonitor is baseMonitor's chain with the dead man's switch.
const heartbeatMonitor = baseMonitor + `  heartbeat: {every: 5m, alarmAfter: 30m}
`

const (
	idHBFilter = "MetricFilter/scen-logs/scen-heartbeat"
	idHBAlarm  = "Alarm/scen-heartbeat"
)

func heartbeatScenarios() []scenario {
	return []scenario{
		{"heartbeat: the switch waits for the first heartbeat, then takes the documented shape", scenarioHeartbeat},
		{"pipeline: a disabled trail key breaks it", scenarioDisabledTrailKey},
		{"heartbeat: removing it deletes the switch", scenarioHeartbeatRemoved},
	}
}

// scenarioHeartbeat: the first pass creates the heartbeat's filter and leaves its alarm waiting;
// a heartbeat is exactly one kms:ListAliases; once a heartbeat has reached the filter's metric
// (on the emulator, through CloudTrail's delivery; moto delivers nothing, so the test puts the
// datapoint the filter would have), the next pass creates the alarm, and the pass after writes
// nothing. The filter and the alarm read back with the shapes the README documents.
func scenarioHeartbeat(t *testing.T, a *account) {
	ms := loadText(t, heartbeatMonitor)
	a.seed(ms)
	opts := reconcile.Options{}
	if a.emu != nil {
		opts.Now = a.emu.Now // the emulated clock, which the test moves
	}
	c := a.controller(opts)
	first := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	first.wantAction(idHBFilter, reconcile.ActionCreate)
	if sw := first.wantAction(idHBAlarm, reconcile.ActionNoop); sw.State != reconcile.StateAwaitingHeartbeat {
		t.Fatalf("the switch on the first pass: %+v", sw)
	}
	a.pass(c, ms, false).wantNoop()

	before := a.calls.snapshot()
	beats, err := c.Heartbeat(context.Background(), ms)
	if err != nil || len(beats) != 1 || beats[0].Region != scenarioRegion {
		t.Fatalf("heartbeat: %+v %v", beats, err)
	}
	if d := cmp.Diff(map[string]int{"kms:ListAliases": 1}, callsDiff(before, a.calls.snapshot())); d != "" {
		t.Errorf("a heartbeat's calls (-want +got):\n%s", d)
	}
	caller := c.Caller()
	checkHeartbeatFilter(t, a, caller)

	if a.emu != nil {
		a.emu.Advance(6 * time.Minute) // CloudTrail delivers the heartbeat; the filter counts it
	} else {
		_, err := a.cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(spec.HeartbeatNamespace),
			MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("scen"), Value: aws.Float64(1), Timestamp: aws.Time(time.Now())}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	armed := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	armed.wantAction(idHBAlarm, reconcile.ActionCreate)
	a.pass(c, ms, false).wantNoop()
	checkHeartbeatAlarm(t, a)

	// Removing spec.heartbeat deletes the armed switch, filter first.
	without := loadText(t, baseMonitor)
	removed := a.pass(c, without, false).wantOutcome(reconcile.OutcomeInSync)
	removed.wantAction(idHBFilter, reconcile.ActionDelete)
	removed.wantAction(idHBAlarm, reconcile.ActionDelete)
	a.pass(c, without, false).wantNoop()
	a.wantNothingOrphaned(without)
}

// checkHeartbeatFilter reads the heartbeat's filter back.
func checkHeartbeatFilter(t *testing.T, a *account, caller string) {
	t.Helper()
	out, err := a.logs.DescribeMetricFilters(context.Background(), &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String("scen-logs"), FilterNamePrefix: aws.String("scen-heartbeat")})
	if err != nil || len(out.MetricFilters) == 0 {
		t.Fatalf("the heartbeat's filter: %v %+v", err, out)
	}
	f := out.MetricFilters[len(out.MetricFilters)-1]
	tr := f.MetricTransformations[0]
	got := []string{aws.ToString(f.FilterName), aws.ToString(f.FilterPattern), aws.ToString(tr.MetricNamespace), aws.ToString(tr.MetricName), aws.ToString(tr.MetricValue)}
	want := []string{"scen-heartbeat", spec.HeartbeatPattern(caller), "KMSWatch/Heartbeat", "scen", "1"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("the heartbeat's filter (-want +got):\n%s", d)
	}
	if tr.DefaultValue != nil {
		t.Errorf("the heartbeat's filter has a default value %v", *tr.DefaultValue)
	}
}

// checkHeartbeatAlarm reads the switch back: Sum < 1 over 30 one-minute periods, all 30 to
// alarm, missing data breaching, notifying the topics the Monitor's alarms notify.
func checkHeartbeatAlarm(t *testing.T, a *account) {
	t.Helper()
	out, err := a.cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"scen-heartbeat"}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("the switch: %v %+v", err, out)
	}
	al := out.MetricAlarms[0]
	got := map[string]any{"namespace": aws.ToString(al.Namespace), "metric": aws.ToString(al.MetricName), "statistic": string(al.Statistic),
		"period": aws.ToInt32(al.Period), "evaluationPeriods": aws.ToInt32(al.EvaluationPeriods), "datapointsToAlarm": aws.ToInt32(al.DatapointsToAlarm),
		"threshold": aws.ToFloat64(al.Threshold), "comparison": string(al.ComparisonOperator), "treatMissingData": aws.ToString(al.TreatMissingData),
		"actions": al.AlarmActions}
	want := map[string]any{"namespace": "KMSWatch/Heartbeat", "metric": "scen", "statistic": "Sum", "period": int32(60), "evaluationPeriods": int32(30),
		"datapointsToAlarm": int32(30), "threshold": 1.0, "comparison": "LessThanThreshold", "treatMissingData": "breaching",
		"actions": []string{"arn:aws:sns:ap-southeast-2:123456789012:scen-alerts"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("the switch (-want +got):\n%s", d)
	}
}

// scenarioDisabledTrailKey: the trail's KMS key disabled behind kmswatch's back is a broken
// pipeline — every resource in sync, yet CloudTrail cannot encrypt a log file — reported with the
// key's state and what to fix, and --once exits 1; enabling the key again clears it.
func scenarioDisabledTrailKey(t *testing.T, a *account) {
	ctx := context.Background()
	keys := kms.NewFromConfig(a.cfg)
	key, err := keys.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("trail key")})
	if err != nil {
		t.Fatal(err)
	}
	ms := loadText(t, strings.Replace(baseMonitor, "    name: scen-trail\n", "    name: scen-trail\n    kmsKeyId: "+aws.ToString(key.KeyMetadata.KeyId)+"\n", 1))
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.converge(c, ms)
	if _, err := keys.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	broken := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeFailed)
	// CloudTrail reports the key's ARN (moto the id it was given).
	if p := broken.res.Pipelines; len(p) != 1 || !p[0].Broken() || !strings.Contains(p[0].Line(time.Now()), "Trail/scen-trail KMS key ") ||
		!strings.Contains(p[0].Line(time.Now()), aws.ToString(key.KeyMetadata.KeyId)+" is Disabled: enable it") {
		t.Fatalf("pipeline with the trail's key disabled: %+v", p)
	}
	for _, ch := range broken.res.Changes {
		if ch.Action != reconcile.ActionNoop {
			t.Errorf("%s: %s — a broken pipeline is not drift", ch.ID, ch.Action)
		}
	}
	if _, err := keys.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	a.pass(c, ms, false).wantNoop()
}

// scenarioHeartbeatRemoved: removing spec.heartbeat deletes the switch — its filter even when its
// alarm was never created (the switch never armed), then its alarm and filter once armed.
func scenarioHeartbeatRemoved(t *testing.T, a *account) {
	with, without := loadText(t, heartbeatMonitor), loadText(t, baseMonitor)
	a.seed(with)
	c := a.controller(reconcile.Options{})
	a.pass(c, with, false).wantOutcome(reconcile.OutcomeInSync).wantAction(idHBFilter, reconcile.ActionCreate)
	removed := a.pass(c, without, false).wantOutcome(reconcile.OutcomeInSync)
	removed.wantAction(idHBFilter, reconcile.ActionDelete)
	if ch := findLine(removed.res, idHBAlarm); ch != nil {
		t.Errorf("the never-armed switch's alarm has a line: %+v", ch)
	}
	a.pass(c, without, false).wantNoop()
	a.wantNothingOrphaned(without)
}
