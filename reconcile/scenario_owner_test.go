package reconcile_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
)

func ownershipScenarios() []scenario {
	out := []scenario{
		{"prune/alarm-removed", pruneAlarm},
		{"prune/subscription-removed", pruneSubscription},
		{"update/retention-removed", retentionRemoved},
		{"prune/log-group-and-trail-kept", keepDataBearing},
		{"prune/log-group-and-trail-deleted-with-policy-delete", deleteDataBearing},
		{"prune/removed-monitor", removedMonitor},
		{"prune/empty-or-invalid-file-deletes-nothing", emptyOrInvalidFile},
		{"adopt", adopt},
	}
	for _, c := range conflicts() {
		out = append(out, scenario{"conflict/" + c.name, c.run})
	}
	return out
}

// pruneAlarm: an alarm removed from the Monitor is deleted, and so is its metric filter.
func pruneAlarm(t *testing.T, a *account) {
	ms := loadText(t, baseMonitor)
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.converge(c, ms)

	ms = loadText(t, baseMonitor)
	ms[0].Spec.Alarms = ms[0].Spec.Alarms[:1]
	plan := a.pass(c, ms, true).wantOutcome(reconcile.OutcomePending)
	plan.wantAction(idAlarm2, reconcile.ActionDelete)
	plan.wantAction(idFilter2, reconcile.ActionDelete)
	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	o.wantAction(idAlarm2, reconcile.ActionDelete)
	o.wantAction(idFilter2, reconcile.ActionDelete)
	if a.alarm("scen-key-disable") != nil {
		t.Fatal("the removed alarm still exists")
	}
	for _, f := range a.filters("scen-logs") {
		if aws.ToString(f.FilterName) == "scen-key-disable" {
			t.Fatal("the removed alarm's metric filter still exists")
		}
	}
	a.checkChain(ms[0])
	a.wantNothingOrphaned(ms)
	a.pass(c, ms, false).wantNoop()
}

// pruneSubscription: a subscription removed from its topic's item is unsubscribed.
func pruneSubscription(t *testing.T, a *account) {
	const sqs = "arn:aws:sqs:ap-southeast-2:123456789012:pager"
	ms := loadText(t, strings.Replace(baseMonitor, "        - {protocol: email, endpoint: secops@example.com}\n",
		"        - {protocol: email, endpoint: secops@example.com}\n        - {protocol: sqs, endpoint: \""+sqs+"\"}\n", 1))
	if len(ms[0].Spec.Topics[0].Subscriptions) != 2 {
		t.Fatal("the fixture lost its sqs subscription")
	}
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.converge(c, ms)

	ms = loadText(t, baseMonitor)
	id := "Subscription/scen-alerts/sqs/" + sqs
	a.pass(c, ms, true).wantOutcome(reconcile.OutcomePending).wantAction(id, reconcile.ActionDelete)
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync).wantAction(id, reconcile.ActionDelete)
	for _, s := range a.subscriptions("scen-alerts") {
		if s.Protocol == "sqs" {
			t.Fatalf("the removed subscription is still there: %v", s)
		}
	}
	a.checkChain(ms[0])
	a.pass(c, ms, false).wantNoop()
}

// retentionRemoved: a log group whose retentionInDays is removed from the spec goes back to
// "never expire".
func retentionRemoved(t *testing.T, a *account) {
	ms := loadText(t, baseMonitor)
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.converge(c, ms)

	ms = loadText(t, strings.Replace(baseMonitor, "    retentionInDays: 90\n", "", 1))
	a.pass(c, ms, true).wantOutcome(reconcile.OutcomePending).wantAction(idLogGroup, reconcile.ActionUpdate, "retentionInDays")
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync).wantAction(idLogGroup, reconcile.ActionUpdate, "retentionInDays")
	if lg := a.logGroup("scen-logs"); lg == nil || lg.RetentionInDays != nil {
		t.Fatalf("log group %+v, want one that never expires", lg)
	}
	a.checkChain(ms[0])
	a.pass(c, ms, false).wantNoop()
}

// withoutTrailNewLogGroup is baseMonitor with its trail block removed and its log group
// renamed: the removed trail and the old log group are what pruning decides about.
func withoutTrailNewLogGroup(t *testing.T) []spec.Monitor {
	ms := loadText(t, baseMonitor)
	ms[0].Spec.Trail = nil
	ms[0].Spec.LogGroup.Name = "scen-logs-2"
	return ms
}

// keepDataBearing: a log group or trail removed from the Monitor is kept (deletionPolicy Retain,
// the default), reported "keep", and still there.
func keepDataBearing(t *testing.T, a *account) {
	ms := loadText(t, baseMonitor)
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.converge(c, ms)

	ms = withoutTrailNewLogGroup(t)
	plan := a.pass(c, ms, true).wantOutcome(reconcile.OutcomePending)
	plan.wantAction(idTrail, reconcile.ActionKeep)
	plan.wantAction(idLogGroup, reconcile.ActionKeep)
	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	o.wantAction(idTrail, reconcile.ActionKeep)
	o.wantAction(idLogGroup, reconcile.ActionKeep)
	o.wantAction("LogGroup/scen-logs-2", reconcile.ActionCreate)
	if a.trail("scen-trail") == nil || a.logGroup("scen-logs") == nil {
		t.Fatal("a kept trail or log group was deleted")
	}
	a.checkChain(ms[0])
	// Kept is a steady state: the next pass writes nothing.
	next := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	if n := next.writes(); n != 0 {
		t.Fatalf("a pass after keeping made %d writes: %v", n, writeKeys(next.res.Calls))
	}
}

// deleteDataBearing: with deletionPolicy Delete recorded when they were created, the removed log
// group and trail are deleted.
func deleteDataBearing(t *testing.T, a *account) {
	withDelete := strings.Replace(strings.Replace(baseMonitor,
		"    cloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/CloudTrailToLogs\n",
		"    cloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/CloudTrailToLogs\n    deletionPolicy: Delete\n", 1),
		"    retentionInDays: 90\n", "    retentionInDays: 90\n    deletionPolicy: Delete\n", 1)
	ms := loadText(t, withDelete)
	if ms[0].Spec.Trail.DeletionPolicy != spec.DeletionDelete || ms[0].Spec.LogGroup.DeletionPolicy != spec.DeletionDelete {
		t.Fatal("the fixture lost its deletionPolicy")
	}
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.converge(c, ms)

	ms = withoutTrailNewLogGroup(t)
	a.pass(c, ms, true).wantOutcome(reconcile.OutcomePending).wantAction(idTrail, reconcile.ActionDelete)
	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	o.wantAction(idTrail, reconcile.ActionDelete)
	o.wantAction(idLogGroup, reconcile.ActionDelete)
	// On moto this holds only because kmswatch deletes the trail by name: DeleteTrail given an
	// ARN is a silent no-op there. moto also keeps a deleted trail's and alarm's
	// tags, which a later pass must not mistake for a live resource: the noop below.
	if a.trail("scen-trail") != nil {
		t.Error("the trail with deletionPolicy Delete still exists")
	}
	if a.logGroup("scen-logs") != nil {
		t.Error("the log group with deletionPolicy Delete still exists")
	}
	a.checkChain(ms[0])
	a.pass(c, ms, false).wantNoop()
}

// secondMonitor is a Monitor with no trail, next to baseMonitor in one file.
const secondMonitor = `
---
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata:
  name: other
spec:
  logGroup:
    name: other-logs
  topics:
    - name: other-alerts
  alarms:
    - name: other-alarm
      match: {eventSource: kms.amazonaws.com, eventNames: [ScheduleKeyDeletion]}
      metric: {namespace: KMSWatch/Other, name: Deletions}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [other-alerts]
`

// removedMonitor: a Monitor that disappears from the file is left alone — unless the controller
// runs with PruneRemovedMonitors, which deletes its alarms, filters and topics and keeps its log
// group (Retain).
func removedMonitor(t *testing.T, a *account) {
	both := loadText(t, baseMonitor+secondMonitor)
	a.seed(both)
	c := a.controller(reconcile.Options{})
	a.converge(c, both)

	only := loadText(t, baseMonitor)
	o := a.pass(c, only, false).wantNoop()
	for _, ch := range o.res.Changes {
		if ch.Monitor == "other" {
			t.Errorf("without pruning, the removed monitor's %s has a line: %s", ch.ID, ch.Action)
		}
	}
	a.checkChain(both[1])

	pruner := a.controller(reconcile.Options{PruneRemovedMonitors: true})
	plan := a.pass(pruner, only, true).wantOutcome(reconcile.OutcomePending)
	plan.wantAction("Alarm/other-alarm", reconcile.ActionDelete)
	o = a.pass(pruner, only, false).wantOutcome(reconcile.OutcomeInSync)
	o.wantAction("Alarm/other-alarm", reconcile.ActionDelete)
	o.wantAction("MetricFilter/other-logs/other-alarm", reconcile.ActionDelete)
	o.wantAction("Topic/other-alerts", reconcile.ActionDelete)
	o.wantAction("LogGroup/other-logs", reconcile.ActionKeep)
	if a.alarm("other-alarm") != nil || a.topicExists("other-alerts") || len(a.filters("other-logs")) != 0 {
		t.Fatal("the removed monitor's alarm, topic or filter survived pruning")
	}
	if a.logGroup("other-logs") == nil {
		t.Fatal("the removed monitor's log group was deleted despite Retain")
	}
	a.checkChain(only[0])
}

// emptyOrInvalidFile: a file that fails to load stops before any AWS call; a pass with zero
// monitors — even with PruneRemovedMonitors — calls nothing and deletes nothing.
func emptyOrInvalidFile(t *testing.T, a *account) {
	ms := loadText(t, baseMonitor)
	a.seed(ms)
	a.converge(a.controller(reconcile.Options{}), ms)
	before := a.calls.snapshot()

	for name, text := range map[string]string{
		"empty":          "",
		"comments only":  "# nothing here\n",
		"invalid":        strings.Replace(baseMonitor, "threshold: 1", "thresold: 1", 1),
		"wrong kind":     strings.Replace(baseMonitor, "kind: Monitor", "kind: Alarm", 1),
		"truncated yaml": baseMonitor[:len(baseMonitor)/2] + "\n  - [",
	} {
		if _, err := spec.LoadBytes([]byte(text), name); err == nil {
			t.Errorf("%s file: Load succeeded, want an error", name)
		}
	}
	for _, prune := range []bool{false, true} {
		c := a.controller(reconcile.Options{PruneRemovedMonitors: prune})
		for _, dry := range []bool{true, false} {
			o := a.pass(c, nil, dry).wantOutcome(reconcile.OutcomeInSync)
			if len(o.res.Changes) != 0 || len(o.res.Calls) != 0 {
				t.Fatalf("zero monitors (prune=%v dry=%v): changes %v, calls %v; want none", prune, dry, o.res.Changes, o.res.Calls)
			}
		}
	}
	if after := a.calls.snapshot(); len(callsDiff(before, after)) != 0 {
		t.Fatalf("calls were made: %v", callsDiff(before, after))
	}
	a.checkChain(ms[0])
}

func callsDiff(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if v != before[k] {
			out[k] = v - before[k]
		}
	}
	return out
}
