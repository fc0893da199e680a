package reconcile

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

const smallMonitor = `
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: small}
spec:
  logGroup: {name: lg%s}
  topics:
    - name: alerts
      subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}]
  alarms:
    - name: a1
      filterPattern: '{ $.eventSource = "kms.amazonaws.com" }'
      metric: {namespace: NS, name: M1}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [alerts]
%s`

func small(t *testing.T, lgSuffix, extra string) string {
	t.Helper()
	return strings.Replace(strings.Replace(smallMonitor, "%s", lgSuffix, 1), "%s", extra, 1)
}

const alarmA2 = `    - name: a2
      filterPattern: '{ $.eventName = "Decrypt" }'
      metric: {namespace: NS, name: M2}
      period: 60s
      threshold: 5
      comparison: GreaterThanThreshold
      alarmActions: [alerts]
`

func TestConflictThenAdopt(t *testing.T) {
	f := newFakeAWS()
	// Someone else's alarm with the name a1, untagged.
	f.alarms["a1"] = cwtypes.MetricAlarm{AlarmName: aws.String("a1"), AlarmArn: aws.String(f.env.alarmARN("a1")),
		Namespace: aws.String("Other"), MetricName: aws.String("X"), Threshold: aws.Float64(99), Period: aws.Int32(300),
		EvaluationPeriods: aws.Int32(1), Statistic: cwtypes.StatisticAverage, ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}
	c := newTestController(f, Options{})
	ms := loadYAML(t, small(t, "", ""))

	res, err := c.Reconcile(context.Background(), ms, false)
	if err != nil {
		t.Fatal(err)
	}
	if a := actions(res); a["Alarm/a1"] != ActionConflict || a["MetricFilter/lg/a1"] != ActionConflict {
		t.Fatalf("want the alarm and its filter in conflict: %v", a)
	}
	if a := actions(res); a["LogGroup/lg"] != ActionCreate || a["Topic/alerts"] != ActionCreate {
		t.Errorf("everything else must still converge: %v", a)
	}
	if code := ExitCode(res, err, false); code != ExitFailed {
		t.Errorf("exit code %d, want 1 for a conflict", code)
	}
	if got := *f.alarms["a1"].Threshold; got != 99 {
		t.Fatalf("the foreign alarm was overwritten: threshold %v", got)
	}
	if _, ok := f.filters["lg"]["a1"]; ok {
		t.Errorf("the filter of a conflicting alarm was created")
	}

	// adopt: true takes it over: rewritten and tagged.
	ms = loadYAML(t, strings.Replace(small(t, "", ""), "    - name: a1\n", "    - name: a1\n      adopt: true\n", 1))
	res = reconcile(t, c, ms, false)
	if ch := findChange(res, "Alarm/a1"); ch.Action != ActionUpdate || !hasField(ch.Changes, "threshold") || !hasField(ch.Changes, "tags") {
		t.Fatalf("adopt: %+v", ch)
	}
	if owner(f.tags[f.env.alarmARN("a1")]) != "small" || *f.alarms["a1"].Threshold != 1 {
		t.Errorf("adopted alarm not rewritten and tagged: %v %v", f.tags[f.env.alarmARN("a1")], *f.alarms["a1"].Threshold)
	}
	f.resetCalls()
	requireAllNoop(t, reconcile(t, c, ms, false))
	if _, w := f.callCount(); w != 0 {
		t.Errorf("writes after adopt: %v", f.calls)
	}
}

func TestConflictWithAnotherMonitor(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	reconcile(t, c, loadYAML(t, small(t, "", "")), false)
	other := strings.Replace(small(t, "2", ""), "name: small", "name: other", 1)
	other = strings.Replace(other, "name: alerts", "name: alerts2", 1)
	other = strings.Replace(other, "[alerts]", "[alerts2]", 1)
	other = strings.Replace(other, "adopt: true", "", 1)
	other = strings.Replace(other, "    - name: a1\n", "    - name: a1\n      adopt: true\n", 1)
	res, _ := c.Reconcile(context.Background(), loadYAML(t, other), false)
	ch := findChange(res, "Alarm/a1")
	if ch.Action != ActionConflict || !strings.Contains(ch.Message, "small") {
		t.Errorf("an alarm owned by another monitor, even with adopt: %+v", ch)
	}
}

func TestPruneKeepAndRemovedMonitors(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	full := loadYAML(t, small(t, "", alarmA2))
	reconcile(t, c, full, false)
	if _, ok := f.alarms["a2"]; !ok {
		t.Fatal("a2 not created")
	}

	// a2 removed from the monitor: its filter and the alarm are deleted.
	res := reconcile(t, c, loadYAML(t, small(t, "", "")), false)
	if a := actions(res); a["Alarm/a2"] != ActionDelete || a["MetricFilter/lg/a2"] != ActionDelete {
		t.Errorf("prune: %v", a)
	}
	if _, ok := f.alarms["a2"]; ok {
		t.Error("a2 still exists")
	}
	if _, ok := f.filters["lg"]["a2"]; ok {
		t.Error("a2's filter still exists")
	}

	// The log group renamed: the old one is kept (Retain by default), the new one created.
	res = reconcile(t, c, loadYAML(t, small(t, "-new", "")), false)
	if a := actions(res); a["LogGroup/lg"] != ActionKeep || a["LogGroup/lg-new"] != ActionCreate {
		t.Errorf("rename log group: %v", a)
	}
	if _, ok := f.logGroups["lg"]; !ok {
		t.Error("the retained log group was deleted")
	}
	if code := ExitCode(res, nil, true); code != ExitPending {
		t.Errorf("dry-run exit code with creates pending: %d", code)
	}

	// An empty file deletes nothing, even when asked to prune removed monitors.
	pruner := newTestController(f, Options{PruneRemovedMonitors: true})
	res = reconcile(t, pruner, nil, false)
	if len(res.Changes) != 0 || len(f.alarms) != 1 {
		t.Errorf("zero monitors changed something: %v", actions(res))
	}

	// Another monitor alone in the file: without the option, "small" is left alone...
	otherYAML := `
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: other}
spec:
  logGroup: {name: other-lg}
`
	reconcile(t, c, loadYAML(t, otherYAML), false)
	if _, ok := f.alarms["a1"]; !ok {
		t.Fatal("a monitor missing from the file was pruned without PruneRemovedMonitors")
	}
	// ...with it, its alarm, filter and topic are deleted, its log groups kept.
	res = reconcile(t, pruner, loadYAML(t, otherYAML), false)
	a := actions(res)
	if a["Alarm/a1"] != ActionDelete || a["Topic/alerts"] != ActionDelete || a["LogGroup/lg-new"] != ActionKeep {
		t.Errorf("prune removed monitor: %v", a)
	}
	if len(f.alarms) != 0 || len(f.topics) != 0 || f.logGroups["lg-new"] == nil {
		t.Errorf("end state: alarms %d topics %d", len(f.alarms), len(f.topics))
	}
}

func TestDeletionPolicyDeleteOnLogGroup(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	y := strings.Replace(small(t, "", ""), "logGroup: {name: lg}", "logGroup: {name: lg, deletionPolicy: Delete}", 1)
	reconcile(t, c, loadYAML(t, y), false)
	res := reconcile(t, c, loadYAML(t, small(t, "-new", "")), false)
	if a := actions(res); a["LogGroup/lg"] != ActionDelete {
		t.Errorf("log group recorded Delete: %v", a)
	}
	if _, ok := f.logGroups["lg"]; ok {
		t.Error("log group with deletion policy Delete still exists")
	}
}

func TestSubscriptionRemovedIsUnsubscribedPendingIsNot(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	y := strings.Replace(small(t, "", ""), `subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}]`,
		`subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}, {protocol: email, endpoint: a@example.com}]`, 1)
	reconcile(t, c, loadYAML(t, y), false)
	topic := f.topics[f.env.topicARN("alerts")]
	if len(topic.subs) != 2 {
		t.Fatalf("subscriptions: %+v", topic.subs)
	}
	// Pending one stays noop, never re-subscribed.
	f.resetCalls()
	res := reconcile(t, c, loadYAML(t, y), false)
	if ch := findChange(res, "Subscription/alerts/email/a@example.com"); ch.Action != ActionNoop || ch.State != "PendingConfirmation" {
		t.Errorf("pending: %+v", ch)
	}
	if f.calls["sns:Subscribe"] != 0 {
		t.Error("a pending subscription was subscribed again")
	}
	// Removing the confirmed one unsubscribes it; the pending one cannot be (no ARN).
	y2 := strings.Replace(y, `{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}, `, "", 1)
	res = reconcile(t, c, loadYAML(t, y2), false)
	if ch := findChange(res, "Subscription/alerts/sqs/arn:aws:sqs:ap-southeast-2:111122223333:q"); ch == nil || ch.Action != ActionDelete {
		t.Errorf("removed subscription: %+v", ch)
	}
	if len(topic.subs) != 1 {
		t.Errorf("subscriptions after removal: %+v", topic.subs)
	}
}

func TestMonitorInAnotherRegionIsNotPrunedAsRemoved(t *testing.T) {
	f := newFakeAWS()
	reconcile(t, newTestController(f, Options{}), loadYAML(t, small(t, "", "")), false)
	y := strings.Replace(small(t, "", ""), "spec:\n", "spec:\n  region: eu-west-1\n", 1)
	res, err := newTestController(f, Options{PruneRemovedMonitors: true}).Reconcile(context.Background(), loadYAML(t, y), false)
	if err == nil || ExitCode(res, err, false) != ExitInvalid {
		t.Errorf("a monitor in another region: err %v, exit %d", err, ExitCode(res, err, false))
	}
	if len(res.Changes) != 0 || len(f.alarms) != 1 {
		t.Errorf("it was pruned as removed: %v", actions(res))
	}
}

func TestOwnershipRefreshReadsTrailTagsTwentyAtATime(t *testing.T) {
	f := newFakeAWS()
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("trail-%02d", i)
		arn := f.env.trailARN(name)
		f.trails[name] = &fakeTrail{def: ctypes.Trail{Name: aws.String(name), TrailARN: aws.String(arn), HomeRegion: aws.String(f.env.Region)}}
		f.trailTags[arn] = map[string]string{}
		if i == 24 {
			f.trailTags[arn] = merge2(ownedTags("old-monitor"), map[string]string{TagDeletionPolicy: "Retain"})
		}
	}
	c := newTestController(f, Options{PruneRemovedMonitors: true})
	res := reconcile(t, c, loadYAML(t, small(t, "", "")), true)
	if f.calls["cloudtrail:ListTags"] != 2 {
		t.Errorf("ListTags calls: %d, want 2 for 25 trails", f.calls["cloudtrail:ListTags"])
	}
	if ch := findChange(res, "Trail/trail-24"); ch == nil || ch.Action != ActionKeep || ch.Monitor != "old-monitor" {
		t.Errorf("the owned trail of a removed monitor: %+v", ch)
	}
}
