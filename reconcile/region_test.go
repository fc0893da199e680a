package reconcile_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// One process, several regions: the emulator and moto keep their state per region, as AWS does,
// and the controller reaches other regions through the clients' ForRegion.

// regionMonitor is a whole chain in one region: trail (single-region, so that another region
// may hold a trail of its own), log group, topic, alarm. %[1]s is the name, %[2]s the
// spec.region line.
const regionMonitor = `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: %[1]s}
spec:
%[2]s  trail: {name: %[1]s-trail, s3BucketName: bucket, cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/r", multiRegion: false}
  logGroup: {name: %[1]s-lg, retentionInDays: 30}
  topics: [{name: %[1]s-topic, subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}]}]
  alarms:
    - name: %[1]s-alarm
      filterPattern: '{ $.eventSource = "kms.amazonaws.com" }'
      metric: {namespace: NS, name: %[1]s}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [%[1]s-topic]
`

func regionYAML(name, region string) string {
	line := ""
	if region != "" {
		line = "  region: " + region + "\n"
	}
	return fmt.Sprintf(regionMonitor, name, line)
}

// actionsIn maps each resource id of a region ("": the default one) to its action.
func actionsIn(r *reconcile.Result, region string) map[string]reconcile.Action {
	out := map[string]reconcile.Action{}
	for _, c := range r.Changes {
		if c.Region == region {
			out[c.ID] = c.Action
		}
	}
	return out
}

// TestTwoRegions: one file, a Monitor in the default region and one in us-east-1, against the
// emulator and moto: both converge in their own region (topics with the region's ARN, alarms
// pointing at them); a no-op pass writes nothing and stays within 40 calls per region; drift in
// the second region is repaired without a write in the first; a Monitor moved to the other
// region leaves its old log group and trail kept and its owned alarm deleted.
func TestTwoRegions(t *testing.T) {
	runOnBothBackends(t, labAccount, []scenario{{"two-regions", testTwoRegions}})
}

func testTwoRegions(t *testing.T, a *account) {
	ms := loadText(t, regionYAML("syd", "")+"---\n"+regionYAML("use", "us-east-1"))
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	in := map[string]*account{"ap-southeast-2": a, "us-east-1": a.inRegion("us-east-1")}
	noop := func(step string) {
		t.Helper()
		o := a.pass(c, ms, false).wantNoop()
		for region, calls := range o.res.CallsByRegion {
			n := totalCalls(calls)
			if n > 40 {
				t.Errorf("%s: %s: %d calls in a no-op pass, budget 40: %v", step, region, n, calls)
			}
			t.Logf("%s: %s: %d calls in a no-op pass", step, region, n)
		}
		if got := len(o.res.Changes); got != 2*6 {
			t.Errorf("%s: %d changes, want the 6 of each monitor", step, got)
		}
	}

	res := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync).res
	if len(res.CallsByRegion) != 2 {
		t.Errorf("calls by region: %v", res.CallsByRegion)
	}
	for region, name := range map[string]string{"ap-southeast-2": "syd", "us-east-1": "use"} {
		r, other := in[region], map[string]string{"syd": "use", "use": "syd"}[name]
		al := r.alarm(name + "-alarm")
		if al == nil || r.trail(name+"-trail") == nil || r.logGroup(name+"-lg") == nil {
			t.Fatalf("%s: chain of %s not created", region, name)
		}
		if r.alarm(other+"-alarm") != nil {
			t.Errorf("%s: holds the alarm of %s", region, other)
		}
		if !r.topicExists(name + "-topic") {
			t.Errorf("%s: topic of %s not created with the region's ARN %s", region, name, r.topicARN(name+"-topic"))
		}
		if len(al.AlarmActions) != 1 || al.AlarmActions[0] != r.topicARN(name+"-topic") {
			t.Errorf("%s: alarm actions %v do not point at the region's topic", region, al.AlarmActions)
		}
	}
	noop("converged")

	// Drift in the second region.
	use := in["us-east-1"]
	must(t, "delete alarm", err2(use.cw.DeleteAlarms(bg, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"use-alarm"}})))
	must(t, "stop logging", err2(use.ct.StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String("use-trail")})))
	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	if got := actionsIn(o.res, "us-east-1"); got["Alarm/use-alarm"] != reconcile.ActionCreate || got["Trail/use-trail"] != reconcile.ActionUpdate {
		t.Errorf("drift repair in us-east-1: %v", got)
	}
	if got := actionsIn(o.res, ""); got["Alarm/syd-alarm"] != reconcile.ActionNoop || len(got) != 6 {
		t.Errorf("ap-southeast-2 during the repair: %v", got)
	}
	if n := awsop.Writes(o.res.CallsByRegion["ap-southeast-2"]); n != 0 {
		t.Errorf("repairing us-east-1 wrote %d times in ap-southeast-2: %v", n, o.res.CallsByRegion["ap-southeast-2"])
	}
	if use.alarm("use-alarm") == nil {
		t.Error("the deleted alarm in us-east-1 was not recreated")
	}
	st, err := use.ct.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String("use-trail")})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Errorf("the trail in us-east-1 is not logging again: %v", err)
	}
	noop("drift repaired")

	// Move syd to us-east-1.
	ms = loadText(t, regionYAML("syd", "us-east-1")+"---\n"+regionYAML("use", "us-east-1"))
	o = a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	if got := actionsIn(o.res, ""); got["Alarm/syd-alarm"] != reconcile.ActionDelete || got["LogGroup/syd-lg"] != reconcile.ActionKeep ||
		got["Trail/syd-trail"] != reconcile.ActionKeep {
		t.Errorf("old region after the move: %v", got)
	}
	if a.alarm("syd-alarm") != nil {
		t.Error("the moved monitor's alarm is still in the old region")
	}
	if use.alarm("syd-alarm") == nil || use.alarm("use-alarm") == nil {
		t.Error("us-east-1 lacks an alarm after the move")
	}
	if a.logGroup("syd-lg") == nil || a.trail("syd-trail") == nil {
		t.Error("the old region's log group or trail was not kept")
	}
	o = a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	if n := o.writes(); n != 0 {
		t.Errorf("the pass after the move made %d writes: %v", n, writeKeys(o.res.Calls))
	}
	for _, ch := range o.res.Changes {
		if ch.Action != reconcile.ActionNoop && ch.Action != reconcile.ActionKeep {
			t.Errorf("the pass after the move: %s %s in %q", ch.ID, ch.Action, ch.Region)
		}
	}
}

// TestMonitorMovedToAnotherRegion: the chain is created in the new region; in the old one, what
// the Monitor owns is pruned (alarm, filter, topic) or kept (log group and trail, Retain), and
// what it does not own is left alone — an alarm made by someone else, and, for a new process
// reading ownership afresh, a topic whose tags were removed meanwhile.
func TestMonitorMovedToAnotherRegion(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("fresh controller %v", fresh), func(t *testing.T) {
			t.Parallel()
			syd := newLabAccount(t)
			use := syd.inRegion("us-east-1")
			ms, moved := loadText(t, regionYAML("m", "")), loadText(t, regionYAML("m", "us-east-1"))
			syd.seed(ms)
			c := syd.controller(reconcile.Options{})
			syd.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
			// An alarm in the old region like the monitor's, but without its ownership tags.
			syd.putAlarmCopy(t, "m-alarm", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String("m-unowned") })

			if fresh {
				c = syd.controller(reconcile.Options{})
				var keys []string
				for k := range syd.tags(reconcile.KindTopic, "m-topic") {
					keys = append(keys, k)
				}
				must(t, "untag topic", err2(syd.sns.UntagResource(bg, &sns.UntagResourceInput{
					ResourceArn: aws.String(syd.topicARN("m-topic")), TagKeys: keys})))
			}
			o := syd.pass(c, moved, false)
			if got := actionsIn(o.res, "us-east-1"); got["Alarm/m-alarm"] != reconcile.ActionCreate || got["LogGroup/m-lg"] != reconcile.ActionCreate {
				t.Fatalf("new region: %v", got)
			}
			if got := actionsIn(o.res, ""); got["Alarm/m-alarm"] != reconcile.ActionDelete || got["LogGroup/m-lg"] != reconcile.ActionKeep ||
				got["Trail/m-trail"] != reconcile.ActionKeep {
				t.Fatalf("old region: %v", got)
			}
			use.checkChain(moved[0])
			if syd.alarm("m-alarm") != nil {
				t.Error("the owned alarm in the old region was kept")
			}
			if f := syd.filters("m-lg"); len(f) != 0 {
				t.Errorf("old region: filters %v", f)
			}
			if want := map[bool]int{false: 0, true: 1}[fresh]; len(syd.topics()) != want {
				t.Errorf("old region: topics %v, want %d (owned ones deleted, the unowned one kept)", syd.topics(), want)
			}
			if syd.logGroup("m-lg") == nil || syd.trail("m-trail") == nil {
				t.Error("the old region's log group or trail was deleted")
			}
			if syd.alarm("m-unowned") == nil {
				t.Error("an alarm the monitor does not own was deleted")
			}
			next := syd.pass(c, moved, false).wantOutcome(reconcile.OutcomeInSync)
			if n := next.writes(); n != 0 {
				t.Errorf("the pass after the move wrote: %v", writeKeys(next.res.Calls))
			}
		})
	}
}

// TestMoveWaitsForTheNewRegion: while the new region cannot be reached, the old region's chain
// is left alone — alerting never has a gap — and nothing is written anywhere.
func TestMoveWaitsForTheNewRegion(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	ms := loadText(t, regionYAML("m", ""))
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)

	up := a.regionDown("us-east-1")
	o := a.pass(c, loadText(t, regionYAML("m", "us-east-1")), false).wantOutcome(reconcile.OutcomeFailed)
	up()
	if o.err == nil {
		t.Fatal("an unreachable region reported no error")
	}
	if n := o.writes(); n != 0 {
		t.Errorf("wrote while the new region was unreachable: %v", writeKeys(o.res.Calls))
	}
	if a.alarm("m-alarm") == nil || !a.topicExists("m-topic") {
		t.Error("the old region's chain was pruned before the monitor stood in its new region")
	}
}

// TestPruneRemovedMonitorsLooksOnlyInKnownRegions: a Monitor gone from the file is pruned in the
// regions the pass reads (the file's and the default), and a region no Monitor names is never
// called at all.
func TestPruneRemovedMonitorsLooksOnlyInKnownRegions(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	all := loadText(t, regionYAML("gone", "us-east-1")+"---\n"+regionYAML("far", "eu-west-1")+"---\n"+regionYAML("stay", "us-east-1"))
	a.seed(all)
	a.pass(a.controller(reconcile.Options{}), all, false).wantOutcome(reconcile.OutcomeInSync)

	pruner := a.controller(reconcile.Options{PruneRemovedMonitors: true})
	o := a.pass(pruner, loadText(t, regionYAML("stay", "us-east-1")), false).wantOutcome(reconcile.OutcomeInSync)
	if got := actionsIn(o.res, "us-east-1"); got["Alarm/gone-alarm"] != reconcile.ActionDelete || got["LogGroup/gone-lg"] != reconcile.ActionKeep {
		t.Errorf("the removed monitor in us-east-1: %v", got)
	}
	if a.inRegion("us-east-1").alarm("gone-alarm") != nil {
		t.Error("the removed monitor's alarm is still there")
	}
	if a.inRegion("eu-west-1").alarm("far-alarm") == nil {
		t.Error("a monitor in a region the pass did not read was pruned")
	}
	if calls, ok := o.res.CallsByRegion["eu-west-1"]; ok {
		t.Errorf("a region no monitor names was called: %v", calls)
	}
}

// TestRegionWithoutClients: clients that reach no other region make a Monitor of another region
// invalid, and the others still converge.
func TestRegionWithoutClients(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	ms := loadText(t, regionYAML("syd", "")+"---\n"+regionYAML("use", "us-east-1"))
	a.seed(ms)
	clients := awsclient.New(a.cfg, a.clientOptions())
	clients.ForRegion = nil
	c := reconcile.NewController(clients, a.env, logr.Discard(), reconcile.Options{})
	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInvalid)
	var te *reconcile.TerminalError
	if !errors.As(o.err, &te) || !te.Invalid || !strings.Contains(o.err.Error(), "us-east-1") {
		t.Errorf("error %v, want an invalid-configuration error naming the region", o.err)
	}
	o.wantAction("Alarm/syd-alarm", reconcile.ActionCreate)
	if a.alarm("syd-alarm") == nil {
		t.Error("the monitor of the controller's region did not converge")
	}
}

// TestMoveWaitsOnAConflictInTheNewRegion: someone else's alarm of the monitor's alarm name in the
// new region is a conflict there, so the old region's alarm, the only one that alerts, stays.
func TestMoveWaitsOnAConflictInTheNewRegion(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	ms := loadText(t, regionYAML("m", ""))
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	a.inRegion("us-east-1").foreignAlarm(t, "m-alarm")

	o := a.pass(c, loadText(t, regionYAML("m", "us-east-1")), false).wantOutcome(reconcile.OutcomeFailed)
	if got := actionsIn(o.res, "us-east-1"); got["Alarm/m-alarm"] != reconcile.ActionConflict {
		t.Fatalf("new region: %v (err %v)", got, o.err)
	}
	if a.alarm("m-alarm") == nil {
		t.Error("the old region's alarm was pruned while the new one is in conflict")
	}
}

// TestIdleDefaultRegionCostsOneCall: with every Monitor in another region, the default region is
// still read (a Monitor may have moved out of it), but a warm pass costs it one DescribeTrails.
func TestIdleDefaultRegionCostsOneCall(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	ms := loadText(t, regionYAML("use", "us-east-1"))
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	o := a.pass(c, ms, false).wantNoop()
	if got := o.res.CallsByRegion["ap-southeast-2"]; len(got) != 1 || got["cloudtrail:DescribeTrails"] != 1 {
		t.Errorf("the idle default region: %v, want one DescribeTrails", got)
	}
}
