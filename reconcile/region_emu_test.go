package reconcile

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// TestTwoRegionsEmulator: one file, a Monitor in the default region and one in us-east-1, against
// the emulator (which keeps state per region): both converge in their own region, a no-op pass
// writes nothing and stays within 40 calls per region, drift in the second region is repaired,
// and a Monitor moved to the other region leaves its old log group and trail kept and its
// owned alarm deleted.
func TestTwoRegionsEmulator(t *testing.T) { testTwoRegions(t, startEmu) }

// TestTwoRegionsMoto: the same against moto, which keeps its state per region too.
func TestTwoRegionsMoto(t *testing.T) { testTwoRegions(t, startMoto) }

func testTwoRegions(t *testing.T, start func(t *testing.T, region string) *emuAWS) {
	ctx := context.Background()
	a := start(t, "ap-southeast-2")
	ms := loadYAML(t, regionYAML("syd", "")+"---\n"+regionYAML("use", "us-east-1"))
	a.seed(ms)
	c := a.controller(t, Options{})

	type regionClients struct {
		cw   *cloudwatch.Client
		logs *cloudwatchlogs.Client
		ct   *cloudtrail.Client
	}
	sdk := map[string]regionClients{}
	for _, r := range []string{"ap-southeast-2", "us-east-1"} {
		cfg := a.regionConfig(r)
		cw := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
			if a.proto == ProtocolQuery {
				o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
			}
		})
		sdk[r] = regionClients{cw, cloudwatchlogs.NewFromConfig(cfg), cloudtrail.NewFromConfig(cfg)}
	}
	alarms := func(region string) map[string]bool {
		t.Helper()
		out, err := sdk[region].cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		if err != nil {
			t.Fatalf("describe alarms in %s: %v", region, err)
		}
		got := map[string]bool{}
		for _, x := range out.MetricAlarms {
			got[aws.ToString(x.AlarmName)] = true
		}
		return got
	}
	noop := func(step string) {
		t.Helper()
		res := reconcile(t, c, ms, false)
		requireAllNoop(t, res)
		if n := WriteCalls(res.Calls); n != 0 {
			t.Errorf("%s: a no-op pass made %d writes: %v", step, n, res.Calls)
		}
		for region, calls := range res.CallsByRegion {
			n := 0
			for _, v := range calls {
				n += v
			}
			if n > 40 {
				t.Errorf("%s: %s: %d calls in a no-op pass, budget 40: %v", step, region, n, calls)
			}
			t.Logf("%s: %s: %d calls in a no-op pass", step, region, n)
		}
	}

	res := reconcile(t, c, ms, false)
	if res.Failed() {
		t.Fatalf("converge: %v", res.Changes)
	}
	if got := alarms("ap-southeast-2"); !got["syd-alarm"] || got["use-alarm"] {
		t.Errorf("ap-southeast-2 alarms %v", got)
	}
	if got := alarms("us-east-1"); !got["use-alarm"] || got["syd-alarm"] {
		t.Errorf("us-east-1 alarms %v", got)
	}
	if len(res.CallsByRegion) != 2 {
		t.Errorf("calls by region: %v", res.CallsByRegion)
	}
	noop("converged")

	// Drift in the second region.
	use := sdk["us-east-1"]
	if _, err := use.cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"use-alarm"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := use.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("use-trail")}); err != nil {
		t.Fatal(err)
	}
	res = reconcile(t, c, ms, false)
	if a := actionsIn(res, "us-east-1"); a["Alarm/use-alarm"] != ActionCreate || a["Trail/use-trail"] != ActionUpdate {
		t.Errorf("drift repair: %v", a)
	}
	if !alarms("us-east-1")["use-alarm"] {
		t.Error("the deleted alarm in us-east-1 was not recreated")
	}
	noop("drift repaired")

	// Move syd to us-east-1.
	ms = loadYAML(t, regionYAML("syd", "us-east-1")+"---\n"+regionYAML("use", "us-east-1"))
	res = reconcile(t, c, ms, false)
	if code := Classify(res, nil, false); code != OutcomeInSync {
		t.Fatalf("move: exit code %d: %v", code, res.Changes)
	}
	if a := actionsIn(res, ""); a["Alarm/syd-alarm"] != ActionDelete || a["LogGroup/syd-lg"] != ActionKeep || a["Trail/syd-trail"] != ActionKeep {
		t.Errorf("old region after the move: %v", a)
	}
	if got := alarms("ap-southeast-2"); got["syd-alarm"] {
		t.Error("the moved monitor's alarm is still in the old region")
	}
	if got := alarms("us-east-1"); !got["syd-alarm"] || !got["use-alarm"] {
		t.Errorf("us-east-1 alarms after the move: %v", got)
	}
	lgs, err := sdk["ap-southeast-2"].logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(lgs.LogGroups) != 1 || aws.ToString(lgs.LogGroups[0].LogGroupName) != "syd-lg" {
		t.Errorf("the old region's log group was not kept: %v %v", lgs, err)
	}
	trails, err := sdk["ap-southeast-2"].ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"syd-trail"}})
	if err != nil || len(trails.TrailList) != 1 {
		t.Errorf("the old region's trail was not kept: %v %v", trails, err)
	}
	res = reconcile(t, c, ms, false)
	if n := WriteCalls(res.Calls); n != 0 {
		t.Errorf("the pass after the move made %d writes: %v", n, res.Calls)
	}
	for _, ch := range res.Changes {
		if ch.Action != ActionNoop && ch.Action != ActionKeep {
			t.Errorf("the pass after the move: %s %s in %q", ch.ID, ch.Action, ch.Region)
		}
	}
}
