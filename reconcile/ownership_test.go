package reconcile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
)

// Ownership: conflicts, adoption, pruning, deletion policies, and what a Monitor missing from the
// file or living in another region leaves alone.

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

// small is smallMonitor with a suffix to its log group's name and extra alarms.
func small(lgSuffix, extra string) string {
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

// hasField tells whether a change names field, or a field beneath it ("tags" covers "tags.x").
func hasField(fc []reconcile.FieldChange, field string) bool {
	for _, c := range fc {
		if c.Field == field || strings.HasPrefix(c.Field, field+".") {
			return true
		}
	}
	return false
}

// hasFilter tells whether the log group holds a metric filter of that name.
func (a *account) hasFilter(logGroup, name string) bool {
	a.t.Helper()
	for _, f := range a.filters(logGroup) {
		if aws.ToString(f.FilterName) == name {
			return true
		}
	}
	return false
}

func TestConflictThenAdopt(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	// Someone else's alarm with the name a1, untagged.
	must(t, "put foreign alarm", err2(a.cw.PutMetricAlarm(bg, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("a1"), Namespace: aws.String("Other"), MetricName: aws.String("X"), Threshold: aws.Float64(99),
		Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Statistic: cwtypes.StatisticAverage,
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold})))
	c := a.controller(reconcile.Options{})

	o := a.pass(c, loadText(t, small("", "")), false).wantOutcome(reconcile.OutcomeFailed)
	if o.err != nil {
		t.Fatalf("a conflict is not an error of the pass: %v", o.err)
	}
	if got := actions(o.res); got["Alarm/a1"] != reconcile.ActionConflict || got["MetricFilter/lg/a1"] != reconcile.ActionConflict {
		t.Fatalf("want the alarm and its filter in conflict: %v", got)
	}
	if got := actions(o.res); got["LogGroup/lg"] != reconcile.ActionCreate || got["Topic/alerts"] != reconcile.ActionCreate {
		t.Errorf("everything else must still converge: %v", got)
	}
	if got := a.alarm("a1"); got == nil || aws.ToFloat64(got.Threshold) != 99 {
		t.Fatalf("the foreign alarm was overwritten: %+v", got)
	}
	if a.hasFilter("lg", "a1") {
		t.Error("the filter of a conflicting alarm was created")
	}

	// adopt: true takes it over: rewritten and tagged.
	ms := loadText(t, strings.Replace(small("", ""), "    - name: a1\n", "    - name: a1\n      adopt: true\n", 1))
	ch := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync).wantAction("Alarm/a1", reconcile.ActionUpdate)
	if !hasField(ch.Changes, "threshold") || !hasField(ch.Changes, "tags") {
		t.Fatalf("adopt: %+v", ch)
	}
	a.wantOwned(reconcile.KindAlarm, "a1", "small")
	if got := a.alarm("a1"); aws.ToFloat64(got.Threshold) != 1 {
		t.Errorf("adopted alarm not rewritten: threshold %v", aws.ToFloat64(got.Threshold))
	}
	a.pass(c, ms, false).wantNoop()
}

func TestConflictWithAnotherMonitor(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	c := a.controller(reconcile.Options{})
	a.pass(c, loadText(t, small("", "")), false).wantOutcome(reconcile.OutcomeInSync)
	other := strings.NewReplacer("name: small", "name: other", "name: alerts", "name: alerts2", "[alerts]", "[alerts2]",
		"    - name: a1\n", "    - name: a1\n      adopt: true\n").Replace(small("2", ""))
	o := a.pass(c, loadText(t, other), false).wantOutcome(reconcile.OutcomeFailed)
	if ch := o.wantAction("Alarm/a1", reconcile.ActionConflict); !strings.Contains(ch.Message, "small") {
		t.Errorf("an alarm owned by another monitor, even with adopt: %+v", ch)
	}
	a.wantOwned(reconcile.KindAlarm, "a1", "small")
}

func TestPruneKeepAndRemovedMonitors(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	c := a.controller(reconcile.Options{})
	a.pass(c, loadText(t, small("", alarmA2)), false).wantOutcome(reconcile.OutcomeInSync)
	if a.alarm("a2") == nil {
		t.Fatal("a2 not created")
	}

	// a2 removed from the monitor: its filter and the alarm are deleted.
	o := a.pass(c, loadText(t, small("", "")), false).wantOutcome(reconcile.OutcomeInSync)
	if got := actions(o.res); got["Alarm/a2"] != reconcile.ActionDelete || got["MetricFilter/lg/a2"] != reconcile.ActionDelete {
		t.Errorf("prune: %v", got)
	}
	if a.alarm("a2") != nil {
		t.Error("a2 still exists")
	}
	if a.hasFilter("lg", "a2") {
		t.Error("a2's filter still exists")
	}

	// The log group renamed: the old one is kept (Retain by default), the new one created.
	o = a.pass(c, loadText(t, small("-new", "")), false).wantOutcome(reconcile.OutcomeInSync)
	if got := actions(o.res); got["LogGroup/lg"] != reconcile.ActionKeep || got["LogGroup/lg-new"] != reconcile.ActionCreate {
		t.Errorf("rename log group: %v", got)
	}
	if a.logGroup("lg") == nil {
		t.Error("the retained log group was deleted")
	}
	if code := reconcile.Classify(o.res, nil, true); code != reconcile.OutcomePending {
		t.Errorf("dry-run exit code with creates pending: %d", code)
	}

	// An empty file deletes nothing, even when asked to prune removed monitors.
	pruner := a.controller(reconcile.Options{PruneRemovedMonitors: true})
	o = a.pass(pruner, nil, false).wantOutcome(reconcile.OutcomeInSync)
	if len(o.res.Changes) != 0 || len(a.alarms()) != 1 {
		t.Errorf("zero monitors changed something: %v", actions(o.res))
	}

	// Another monitor alone in the file: without the option, "small" is left alone...
	otherYAML := `
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: other}
spec:
  logGroup: {name: other-lg}
`
	a.pass(c, loadText(t, otherYAML), false).wantOutcome(reconcile.OutcomeInSync)
	if a.alarm("a1") == nil {
		t.Fatal("a monitor missing from the file was pruned without PruneRemovedMonitors")
	}
	// ...with it, its alarm, filter and topic are deleted, its log groups kept.
	o = a.pass(pruner, loadText(t, otherYAML), false).wantOutcome(reconcile.OutcomeInSync)
	got := actions(o.res)
	if got["Alarm/a1"] != reconcile.ActionDelete || got["MetricFilter/lg-new/a1"] != reconcile.ActionDelete ||
		got["Topic/alerts"] != reconcile.ActionDelete || got["LogGroup/lg-new"] != reconcile.ActionKeep {
		t.Errorf("prune removed monitor: %v", got)
	}
	if al, tp := a.alarms(), a.topics(); len(al) != 0 || len(tp) != 0 || a.logGroup("lg-new") == nil || a.logGroup("lg") == nil {
		t.Errorf("end state: alarms %d, topics %v, log groups lg-new %v lg %v", len(al), tp, a.logGroup("lg-new") != nil, a.logGroup("lg") != nil)
	}
}

func TestDeletionPolicyDeleteOnLogGroup(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	c := a.controller(reconcile.Options{})
	y := strings.Replace(small("", ""), "logGroup: {name: lg}", "logGroup: {name: lg, deletionPolicy: Delete}", 1)
	a.pass(c, loadText(t, y), false).wantOutcome(reconcile.OutcomeInSync)
	if tags := a.tags(reconcile.KindLogGroup, "lg"); tags[reconcile.TagDeletionPolicy] != "Delete" {
		t.Fatalf("the deletion policy is not recorded on the log group: %v", tags)
	}
	o := a.pass(c, loadText(t, small("-new", "")), false).wantOutcome(reconcile.OutcomeInSync)
	o.wantAction("LogGroup/lg", reconcile.ActionDelete)
	if a.logGroup("lg") != nil {
		t.Error("log group with deletion policy Delete still exists")
	}
}

func TestSubscriptionRemovedIsUnsubscribedPendingIsNot(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	c := a.controller(reconcile.Options{})
	y := strings.Replace(small("", ""), `subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}]`,
		`subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}, {protocol: email, endpoint: a@example.com}]`, 1)
	a.pass(c, loadText(t, y), false).wantOutcome(reconcile.OutcomeInSync)
	if subs := a.subscriptions("alerts"); len(subs) != 2 {
		t.Fatalf("subscriptions: %+v", subs)
	}
	// The pending one stays unchanged, never subscribed again.
	o := a.pass(c, loadText(t, y), false).wantNoop()
	if ch := o.change("Subscription/alerts/email/a@example.com"); ch.State != "PendingConfirmation" {
		t.Errorf("pending: %+v", ch)
	}
	if n := o.res.Calls["sns:Subscribe"]; n != 0 {
		t.Error("a pending subscription was subscribed again")
	}
	// Removing the confirmed one unsubscribes it; the pending one cannot be (no ARN).
	y2 := strings.Replace(y, `{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}, `, "", 1)
	a.pass(c, loadText(t, y2), false).wantOutcome(reconcile.OutcomeInSync).
		wantAction("Subscription/alerts/sqs/arn:aws:sqs:ap-southeast-2:111122223333:q", reconcile.ActionDelete)
	if subs := a.subscriptions("alerts"); len(subs) != 1 || subs[0].Protocol != "email" || !subs[0].pending() {
		t.Errorf("subscriptions after removal: %+v", subs)
	}
}

func TestMonitorInAnotherRegionIsNotPrunedAsRemoved(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	a.pass(a.controller(reconcile.Options{}), loadText(t, small("", "")), false).wantOutcome(reconcile.OutcomeInSync)
	// Clients that reach no other region: the Monitor, moved to eu-west-1, cannot run.
	clients := awsclient.New(a.cfg, a.clientOptions())
	clients.ForRegion = nil
	c := reconcile.NewController(clients, a.env, logr.Discard(), reconcile.Options{PruneRemovedMonitors: true})
	y := strings.Replace(small("", ""), "spec:\n", "spec:\n  region: eu-west-1\n", 1)
	o := a.pass(c, loadText(t, y), false).wantOutcome(reconcile.OutcomeInvalid)
	if len(o.res.Changes) != 0 || len(a.alarms()) != 1 || !a.topicExists("alerts") {
		t.Errorf("it was pruned as removed: %v", actions(o.res))
	}
}

// TestOwnershipRefreshReadsTrailTagsInBatches: a new process reads the ownership tags of the
// region's trails with CloudTrail ListTags, at most 20 trails a call, and so finds the trail of a
// removed Monitor. The emulator keeps CloudTrail's quota of 5 trails a region: one call. moto
// does not enforce the quota, so there 25 trails show the split into two calls.
func TestOwnershipRefreshReadsTrailTagsInBatches(t *testing.T) {
	runOnBothBackends(t, labAccount, []scenario{{"trail-tags", func(t *testing.T, a *account) {
		n, wantCalls := 5, 1
		if a.isMoto() {
			n, wantCalls = 25, 2
			a.moto.CreateBucket(t, "bucket")
		} else {
			a.emu.SeedBucket("bucket")
		}
		last := fmt.Sprintf("trail-%02d", n-1)
		for i := range n {
			must(t, "create trail", err2(a.ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{
				Name: aws.String(fmt.Sprintf("trail-%02d", i)), S3BucketName: aws.String("bucket")})))
		}
		must(t, "tag trail", err2(a.ct.AddTags(bg, &cloudtrail.AddTagsInput{ResourceId: aws.String(a.trailARN(last)),
			TagsList: []cttypes.Tag{
				{Key: aws.String(reconcile.TagManagedBy), Value: aws.String(reconcile.ManagedByValue)},
				{Key: aws.String(reconcile.TagMonitor), Value: aws.String("old-monitor")},
				{Key: aws.String(reconcile.TagDeletionPolicy), Value: aws.String("Retain")},
			}})))

		c := a.controller(reconcile.Options{PruneRemovedMonitors: true})
		o := a.pass(c, loadText(t, small("", "")), true).wantOutcome(reconcile.OutcomePending)
		if got := o.res.Calls["cloudtrail:ListTags"]; got != wantCalls {
			t.Errorf("ListTags calls: %d, want %d for %d trails", got, wantCalls, n)
		}
		if ch := o.change("Trail/" + last); ch.Action != reconcile.ActionKeep || ch.Monitor != "old-monitor" {
			t.Errorf("the owned trail of a removed monitor: %+v", ch)
		}
		for i := range n - 1 {
			for _, ch := range o.res.Changes {
				if ch.ID == fmt.Sprintf("Trail/trail-%02d", i) {
					t.Errorf("a trail kmswatch does not own has a line: %+v", ch)
				}
			}
		}
	}}})
}
