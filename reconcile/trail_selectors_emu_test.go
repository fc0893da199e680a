package reconcile

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestSelectorRepairKeepsDataEventsBackends: against the emulator's CloudTrail and moto's, a trail logging
// S3 data events whose selectors drop KMS is repaired to log KMS with its data selector intact,
// for basic and advanced selectors, and the next pass writes nothing.
func TestSelectorRepairKeepsDataEventsBackends(t *testing.T) {
	const trail = "pattern1-logging-trail"
	cases := []struct {
		name string
		put  cloudtrail.PutEventSelectorsInput
		keep func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput)
	}{
		{"basic", cloudtrail.PutEventSelectorsInput{EventSelectors: []ctypes.EventSelector{{
			ReadWriteType: ctypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
			ExcludeManagementEventSources: []string{kmsSource}}}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				var data int
				for _, s := range out.EventSelectors {
					if len(s.DataResources) > 0 {
						data++
						if s.ReadWriteType != ctypes.ReadWriteTypeWriteOnly || s.DataResources[0].Values[0] != "arn:aws:s3:::audit-bucket/" {
							t.Errorf("data selector changed: %+v", s)
						}
					}
				}
				if data != 1 {
					t.Errorf("%d data selectors, want the 1 kept: %+v", data, out.EventSelectors)
				}
			}},
		{"basic, kms excluded on an all data selector", cloudtrail.PutEventSelectorsInput{EventSelectors: []ctypes.EventSelector{{
			ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
			ExcludeManagementEventSources: []string{kmsSource}}}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				if len(out.EventSelectors) != 1 || len(out.EventSelectors[0].DataResources) != 1 || out.EventSelectors[0].ReadWriteType != ctypes.ReadWriteTypeAll {
					t.Errorf("data selector not kept: %+v", out.EventSelectors)
				}
			}},
		{"advanced, kms not-equals beside a data selector", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []ctypes.AdvancedEventSelector{advMgmt(kmsNotEq), advS3}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				if len(out.AdvancedEventSelectors) != 2 || aws.ToString(out.AdvancedEventSelectors[1].Name) != "s3 writes" ||
					len(out.AdvancedEventSelectors[1].FieldSelectors) != 3 {
					t.Errorf("data selector not kept in place: %+v", out.AdvancedEventSelectors)
				}
			}},
		{"advanced", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []ctypes.AdvancedEventSelector{advS3, advMgmt(kmsNotEq, writesOnly)}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				if len(out.AdvancedEventSelectors) != 2 || aws.ToString(out.AdvancedEventSelectors[0].Name) != "s3 writes" ||
					len(out.AdvancedEventSelectors[0].FieldSelectors) != 3 {
					t.Errorf("data selector not kept: %+v", out.AdvancedEventSelectors)
				}
			}},
	}
	backends := []struct {
		name  string
		start func(t *testing.T, region string) *emuAWS
	}{{"emulator", startEmu}, {"moto", startMoto}}
	for _, b := range backends {
		for _, tc := range cases {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				a := b.start(t, "ap-southeast-2")
				ms := loadMonitors(t, "testdata/lab.yaml")
				a.seed(ms)
				c := a.controller(t, Options{})
				reconcile(t, c, ms, false)

				ct := cloudtrail.NewFromConfig(a.cfg)
				put := tc.put
				put.TrailName = aws.String(trail)
				if _, err := ct.PutEventSelectors(ctx, &put); err != nil {
					t.Fatalf("drift: put event selectors: %v", err)
				}
				res := reconcile(t, c, ms, false)
				if ch := findChange(res, trailRef(trail).String()); ch == nil || ch.Action != ActionUpdate || !ch.Applied {
					t.Fatalf("trail: %+v, want an applied update", ch)
				}
				out, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(trail)})
				if err != nil {
					t.Fatalf("get event selectors: %v", err)
				}
				if me := managementEvents(out.EventSelectors, out.AdvancedEventSelectors); !me.logsKMS() {
					t.Errorf("KMS still dropped after the repair: %+v", me)
				}
				tc.keep(t, out)

				res = reconcile(t, c, ms, false)
				requireAllNoop(t, res)
				if n := WriteCalls(res.Calls); n != 0 {
					t.Errorf("pass after the repair made %d writes: %v", n, res.Calls)
				}
			})
		}
	}
}

// TestTrailKMSKeyIDNoopEmulator: a trail's kmsKeyId given as a key id, which CloudTrail reports as
// the key ARN, is not drift.
func TestTrailKMSKeyIDNoopEmulator(t *testing.T) {
	a := startEmu(t, "ap-southeast-2")
	y := strings.Replace(regionYAML("k", ""), "multiRegion: false}", "multiRegion: false, kmsKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab}", 1)
	ms := loadYAML(t, y)
	a.seed(ms)
	c := a.controller(t, Options{})
	if res := reconcile(t, c, ms, false); res.Failed() {
		t.Fatalf("converge: %v", res.Changes)
	}
	res := reconcile(t, c, ms, false)
	requireAllNoop(t, res)
	if n := WriteCalls(res.Calls); n != 0 {
		t.Errorf("a no-op pass made %d writes: %v", n, res.Calls)
	}
}

// TestSelectorRepairRefusesToWidenDataEvents: five write-only data selectors and KMS excluded —
// the repair cannot log management reads without widening data events, so the trail's update
// fails with a message saying why, its selectors are left as they were, and the error is not
// terminal (the daemon must see the user's fix).
func TestSelectorRepairRefusesToWidenDataEvents(t *testing.T) {
	const trail = "pattern1-logging-trail"
	ctx := context.Background()
	a := startEmu(t, "ap-southeast-2")
	ms := loadMonitors(t, "testdata/lab.yaml")
	a.seed(ms)
	c := a.controller(t, Options{})
	reconcile(t, c, ms, false)
	var five []ctypes.EventSelector
	for range 5 {
		five = append(five, ctypes.EventSelector{ReadWriteType: ctypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true),
			DataResources: s3Data, ExcludeManagementEventSources: []string{kmsSource}})
	}
	ct := cloudtrail.NewFromConfig(a.cfg)
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trail), EventSelectors: five}); err != nil {
		t.Fatalf("drift: %v", err)
	}
	res, err := c.Reconcile(ctx, ms, false)
	ch := findChange(res, trailRef(trail).String())
	if err == nil || ch == nil || ch.Err == nil || !strings.Contains(ch.Err.Error(), "free a selector") {
		t.Fatalf("want the trail's update to fail saying why: %+v, %v", ch, err)
	}
	if IsTerminal(err) {
		t.Error("the error is terminal, so the daemon would not see the user's fix")
	}
	if n := res.Calls["cloudtrail:PutEventSelectors"]; n != 0 {
		t.Errorf("the selectors were written %d times", n)
	}
	out, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(trail)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EventSelectors) != 5 || out.EventSelectors[0].ReadWriteType != ctypes.ReadWriteTypeWriteOnly {
		t.Errorf("selectors changed: %+v", out.EventSelectors)
	}
}
