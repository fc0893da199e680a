package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-logr/logr"
)

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

// regionFakes is one fake AWS per region; the controller's default region is ap-southeast-2.
type regionFakes map[string]*fakeAWS

func newRegionFakes(regions ...string) regionFakes {
	fs := regionFakes{}
	for _, r := range append([]string{"ap-southeast-2"}, regions...) {
		f := newFakeAWS()
		f.env.Region = r
		fs[r] = f
	}
	return fs
}

// controller is a controller whose clients reach every region of fs, and no other.
func (fs regionFakes) controller(opts Options) *Controller {
	def := fs["ap-southeast-2"]
	clients := def.clients()
	clients.ForRegion = func(region string) Clients {
		if f, ok := fs[region]; ok {
			return f.clients()
		}
		// A region the test did not set up: every call fails, so a test that reaches it fails.
		f := newFakeAWS()
		f.env.Region = region
		for _, op := range []string{"cloudtrail:DescribeTrails", "tag:GetResources"} {
			f.fail[op] = apiErr("UnexpectedRegion", "the test did not expect a call to %s", region)
		}
		fs[region] = f
		return f.clients()
	}
	return NewController(clients, def.env, logr.Discard(), opts)
}

func (fs regionFakes) resetCalls() {
	for _, f := range fs {
		f.resetCalls()
	}
}

func TestTwoRegionsConvergeThenNoop(t *testing.T) {
	fs := newRegionFakes("us-east-1")
	c := fs.controller(Options{})
	ms := loadYAML(t, regionYAML("syd", "")+"---\n"+regionYAML("use", "us-east-1"))

	res := reconcile(t, c, ms, false)
	if code := ExitCode(res, nil, false); code != ExitInSync {
		t.Fatalf("exit code %d: %v", code, actions(res))
	}
	for region, name := range map[string]string{"ap-southeast-2": "syd", "us-east-1": "use"} {
		f, other := fs[region], map[string]string{"syd": "use", "use": "syd"}[name]
		if _, ok := f.alarms[name+"-alarm"]; !ok || f.trails[name+"-trail"] == nil || f.logGroups[name+"-lg"] == nil {
			t.Errorf("%s: chain of %s not created", region, name)
		}
		if _, ok := f.alarms[other+"-alarm"]; ok {
			t.Errorf("%s: holds the alarm of %s", region, other)
		}
		arn := f.topics["arn:aws:sns:"+region+":111122223333:"+name+"-topic"]
		if arn == nil {
			t.Errorf("%s: topic of %s not created with the region's ARN", region, name)
		}
		if a := f.alarms[name+"-alarm"]; len(a.AlarmActions) != 1 || !strings.Contains(a.AlarmActions[0], ":sns:"+region+":") {
			t.Errorf("%s: alarm actions %v do not point at the region's topic", region, a.AlarmActions)
		}
	}

	fs.resetCalls()
	res = reconcile(t, c, ms, false)
	requireAllNoop(t, res)
	for region, f := range fs {
		total, writes := f.callCount()
		if writes != 0 {
			t.Errorf("%s: a no-op pass wrote: %v", region, f.calls)
		}
		if total > 40 {
			t.Errorf("%s: a no-op pass made %d calls, budget 40: %v", region, total, f.calls)
		}
		t.Logf("%s: %d calls in a no-op pass", region, total)
	}
	if got := len(res.Changes); got != 2*6 {
		t.Errorf("%d changes, want the 6 of each monitor", got)
	}
}

func TestDriftInSecondRegionRepaired(t *testing.T) {
	fs := newRegionFakes("us-east-1")
	c := fs.controller(Options{})
	ms := loadYAML(t, regionYAML("syd", "")+"---\n"+regionYAML("use", "us-east-1"))
	reconcile(t, c, ms, false)

	use := fs["us-east-1"]
	use.mu.Lock()
	delete(use.alarms, "use-alarm")
	use.trails["use-trail"].logging = false
	use.mu.Unlock()

	fs.resetCalls()
	res := reconcile(t, c, ms, false)
	if a := actionsIn(res, "us-east-1"); a["Alarm/use-alarm"] != ActionCreate || a["Trail/use-trail"] != ActionUpdate {
		t.Fatalf("us-east-1: %v", a)
	}
	if a := actionsIn(res, ""); a["Alarm/syd-alarm"] != ActionNoop || len(a) != 6 {
		t.Fatalf("ap-southeast-2: %v", a)
	}
	if _, ok := use.alarms["use-alarm"]; !ok || !use.trails["use-trail"].logging {
		t.Error("drift in us-east-1 not repaired")
	}
	if _, writes := fs["ap-southeast-2"].callCount(); writes != 0 {
		t.Errorf("repairing us-east-1 wrote in ap-southeast-2: %v", fs["ap-southeast-2"].calls)
	}
	fs.resetCalls()
	requireAllNoop(t, reconcile(t, c, ms, false))
}

func TestMonitorMovedToAnotherRegion(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprintf("fresh controller %v", fresh), func(t *testing.T) {
			fs := newRegionFakes("us-east-1")
			c := fs.controller(Options{})
			reconcile(t, c, loadYAML(t, regionYAML("m", "")), false)
			syd, use := fs["ap-southeast-2"], fs["us-east-1"]
			// An alarm in the old region like the monitor's, but without its ownership tags.
			syd.mu.Lock()
			unowned := syd.alarms["m-alarm"]
			unowned.AlarmName, unowned.AlarmArn = aws.String("m-unowned"), aws.String(syd.env.alarmARN("m-unowned"))
			syd.alarms["m-unowned"] = unowned
			syd.mu.Unlock()

			if fresh {
				// A new process, which reads ownership afresh: the old region's topic lost its
				// tags meanwhile, so it is no longer the monitor's to delete.
				c = fs.controller(Options{})
				syd.mu.Lock()
				delete(syd.tags, syd.env.topicARN("m-topic"))
				syd.mu.Unlock()
			}
			moved := loadYAML(t, regionYAML("m", "us-east-1"))
			res := reconcile(t, c, moved, false)
			if a := actionsIn(res, "us-east-1"); a["Alarm/m-alarm"] != ActionCreate || a["LogGroup/m-lg"] != ActionCreate {
				t.Fatalf("new region: %v", a)
			}
			if a := actionsIn(res, ""); a["Alarm/m-alarm"] != ActionDelete || a["LogGroup/m-lg"] != ActionKeep || a["Trail/m-trail"] != ActionKeep {
				t.Fatalf("old region: %v", a)
			}
			if _, ok := use.alarms["m-alarm"]; !ok || use.logGroups["m-lg"] == nil || use.trails["m-trail"] == nil {
				t.Error("chain not created in the new region")
			}
			// The old region: alarm, filter, topic pruned (owned, deletion policy Delete);
			// log group and trail kept (data-bearing, Retain).
			if _, ok := syd.alarms["m-alarm"]; ok {
				t.Error("the owned alarm in the old region was kept")
			}
			if len(syd.filters["m-lg"]) != 0 {
				t.Errorf("old region: filters %v", syd.filters["m-lg"])
			}
			if want := map[bool]int{false: 0, true: 1}[fresh]; len(syd.topics) != want {
				t.Errorf("old region: %d topics, want %d (owned ones deleted, the unowned one kept)", len(syd.topics), want)
			}
			if syd.logGroups["m-lg"] == nil || syd.trails["m-trail"] == nil {
				t.Error("the old region's log group or trail was deleted")
			}
			if _, ok := syd.alarms["m-unowned"]; !ok {
				t.Error("an alarm the monitor does not own was deleted")
			}
			fs.resetCalls()
			res = reconcile(t, c, moved, false)
			for _, f := range fs {
				if _, writes := f.callCount(); writes != 0 {
					t.Errorf("the pass after the move wrote: %v", f.calls)
				}
			}
			if code := ExitCode(res, nil, false); code != ExitInSync {
				t.Errorf("exit code %d after the move", code)
			}
		})
	}
}

// TestMoveWaitsForTheNewRegion: while the new region cannot be read, the old region's chain is
// left alone — alerting never has a gap — and nothing is written in the unread region.
func TestMoveWaitsForTheNewRegion(t *testing.T) {
	fs := newRegionFakes("us-east-1")
	c := fs.controller(Options{})
	reconcile(t, c, loadYAML(t, regionYAML("m", "")), false)
	use := fs["us-east-1"]
	use.fail["cloudtrail:DescribeTrails"] = apiErr("InternalFailure", "region down")

	fs.resetCalls()
	res, err := c.Reconcile(context.Background(), loadYAML(t, regionYAML("m", "us-east-1")), false)
	if err == nil {
		t.Fatal("an unreadable region reported no error")
	}
	if _, ok := fs["ap-southeast-2"].alarms["m-alarm"]; !ok {
		t.Error("the old region's alarm was pruned before the monitor stood in its new region")
	}
	for region, f := range fs {
		if _, writes := f.callCount(); writes != 0 {
			t.Errorf("%s: wrote while the new region was unreadable: %v", region, f.calls)
		}
	}
	if ExitCode(res, err, false) != ExitFailed {
		t.Errorf("exit code %d", ExitCode(res, err, false))
	}
}

// TestPruneRemovedMonitorsLooksOnlyInKnownRegions: a Monitor gone from the file is pruned in the
// regions the pass reads (the file's and the default), and a region no Monitor names is never
// called at all.
func TestPruneRemovedMonitorsLooksOnlyInKnownRegions(t *testing.T) {
	fs := newRegionFakes("us-east-1", "eu-west-1")
	c := fs.controller(Options{})
	reconcile(t, c, loadYAML(t, regionYAML("gone", "us-east-1")+"---\n"+regionYAML("far", "eu-west-1")+"---\n"+
		regionYAML("stay", "us-east-1")), false)

	fs.resetCalls()
	pruner := fs.controller(Options{PruneRemovedMonitors: true})
	res := reconcile(t, pruner, loadYAML(t, regionYAML("stay", "us-east-1")), false)
	a := actionsIn(res, "us-east-1")
	if a["Alarm/gone-alarm"] != ActionDelete || a["LogGroup/gone-lg"] != ActionKeep {
		t.Errorf("the removed monitor in us-east-1: %v", a)
	}
	if _, ok := fs["us-east-1"].alarms["gone-alarm"]; ok {
		t.Error("the removed monitor's alarm is still there")
	}
	if _, ok := fs["eu-west-1"].alarms["far-alarm"]; !ok {
		t.Error("a monitor in a region the pass did not read was pruned")
	}
	if total, _ := fs["eu-west-1"].callCount(); total != 0 {
		t.Errorf("a region no monitor names was called: %v", fs["eu-west-1"].calls)
	}
}

// TestRegionWithoutClients: clients that reach no other region make a Monitor of another region
// invalid, as before, and the others still converge.
func TestRegionWithoutClients(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	res, err := c.Reconcile(context.Background(), loadYAML(t, regionYAML("syd", "")+"---\n"+regionYAML("use", "us-east-1")), false)
	var te *TerminalError
	if !errors.As(err, &te) || !te.Invalid || !strings.Contains(err.Error(), "us-east-1") {
		t.Errorf("error %v, want an invalid-configuration error naming the region", err)
	}
	if _, ok := f.alarms["syd-alarm"]; !ok || findChange(res, "Alarm/syd-alarm") == nil {
		t.Error("the monitor of the controller's region did not converge")
	}
}

// actionsIn maps each resource id of a region ("": the default one) to its action.
func actionsIn(r *Result, region string) map[string]Action {
	out := map[string]Action{}
	for _, c := range r.Changes {
		if c.Region == region {
			out[c.ID] = c.Action
		}
	}
	return out
}

// TestMoveWaitsOnAConflictInTheNewRegion: someone else's alarm of the monitor's alarm name in the
// new region is a conflict there, so the old region's alarm, the only one that alerts, stays.
func TestMoveWaitsOnAConflictInTheNewRegion(t *testing.T) {
	fs := newRegionFakes("us-east-1")
	c := fs.controller(Options{})
	reconcile(t, c, loadYAML(t, regionYAML("m", "")), false)
	use := fs["us-east-1"]
	foreign := fs["ap-southeast-2"].alarms["m-alarm"]
	foreign.AlarmArn = aws.String(use.env.alarmARN("m-alarm"))
	use.alarms["m-alarm"] = foreign

	res, err := c.Reconcile(context.Background(), loadYAML(t, regionYAML("m", "us-east-1")), false)
	if a := actionsIn(res, "us-east-1"); a["Alarm/m-alarm"] != ActionConflict {
		t.Fatalf("new region: %v (err %v)", a, err)
	}
	if _, ok := fs["ap-southeast-2"].alarms["m-alarm"]; !ok {
		t.Error("the old region's alarm was pruned while the new one is in conflict")
	}
	if ExitCode(res, err, false) != ExitFailed {
		t.Errorf("exit code %d", ExitCode(res, err, false))
	}
}

func TestOutputNamesTheRegionOutsideTheDefault(t *testing.T) {
	var b strings.Builder
	r := &Result{Changes: []Change{
		{ID: "Alarm/a", Action: ActionCreate, Applied: true},
		{ID: "Alarm/a", Action: ActionDelete, Applied: true, Region: "us-east-1"},
	}}
	if err := WriteText(&b, r, false); err != nil {
		t.Fatal(err)
	}
	if want := "Alarm/a created\nAlarm/a deleted in us-east-1\n"; b.String() != want {
		t.Errorf("text %q, want %q", b.String(), want)
	}
	b.Reset()
	if err := WriteJSON(&b, r, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || strings.Contains(lines[0], `"region"`) || !strings.Contains(lines[1], `"region":"us-east-1"`) {
		t.Errorf("json:\n%s", b.String())
	}
}

// TestIdleDefaultRegionCostsOneCall: with every Monitor in another region, the default region is
// still read (a Monitor may have moved out of it), but a warm pass costs it one DescribeTrails.
func TestIdleDefaultRegionCostsOneCall(t *testing.T) {
	fs := newRegionFakes("us-east-1")
	c := fs.controller(Options{})
	ms := loadYAML(t, regionYAML("use", "us-east-1"))
	reconcile(t, c, ms, false)
	fs.resetCalls()
	requireAllNoop(t, reconcile(t, c, ms, false))
	def := fs["ap-southeast-2"]
	if total, _ := def.callCount(); total != 1 || def.calls["cloudtrail:DescribeTrails"] != 1 {
		t.Errorf("the idle default region: %v, want one DescribeTrails", def.calls)
	}
}
