package reconcile_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/reconcile"
)

// A trail's event selectors as a user may leave them, with KMS dropped beside the data events
// they log; the repair must log KMS and keep the data events as they were.

const (
	labTrail  = "pattern1-logging-trail"
	kmsSource = "kms.amazonaws.com"
)

var (
	s3Data = []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::audit-bucket/"}}}

	advMgmt = func(extra ...cttypes.AdvancedFieldSelector) cttypes.AdvancedEventSelector {
		return cttypes.AdvancedEventSelector{Name: aws.String("mgmt"), FieldSelectors: append(
			[]cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}, extra...)}
	}
	advS3 = cttypes.AdvancedEventSelector{Name: aws.String("s3 writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
		{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
		{Field: aws.String("readOnly"), Equals: []string{"false"}},
	}}
	kmsNotEq   = cttypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{kmsSource}}
	writesOnly = cttypes.AdvancedFieldSelector{Field: aws.String("readOnly"), Equals: []string{"false"}}
)

// TestSelectorRepairKeepsDataEvents: against the emulator's CloudTrail and moto's, a trail logging
// S3 data events whose selectors drop KMS is repaired to log KMS with its data selectors intact,
// for basic and advanced selectors, and the next pass writes nothing.
func TestSelectorRepairKeepsDataEvents(t *testing.T) {
	cases := []struct {
		name string
		put  cloudtrail.PutEventSelectorsInput
		keep func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput)
	}{
		{"basic, kms excluded on a data selector of type All", cloudtrail.PutEventSelectorsInput{EventSelectors: []cttypes.EventSelector{{
			ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
			ExcludeManagementEventSources: []string{kmsSource}}}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				if s := out.EventSelectors; len(s) != 1 || len(s[0].DataResources) != 1 || s[0].ReadWriteType != cttypes.ReadWriteTypeAll {
					t.Errorf("data selector not kept in place: %+v", s)
				}
			}},
		{"basic, write-only data selector", cloudtrail.PutEventSelectorsInput{EventSelectors: []cttypes.EventSelector{{
			ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data}}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				if s := out.EventSelectors; len(s) != 2 || len(s[0].DataResources) != 1 || s[0].ReadWriteType != cttypes.ReadWriteTypeWriteOnly {
					t.Errorf("data selector not kept write-only beside a new management selector: %+v", s)
				}
			}},
		{"basic, write-only data selector with kms excluded", cloudtrail.PutEventSelectorsInput{EventSelectors: []cttypes.EventSelector{{
			ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
			ExcludeManagementEventSources: []string{kmsSource}}}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				var data int
				for _, s := range out.EventSelectors {
					if len(s.DataResources) > 0 {
						data++
						if s.ReadWriteType != cttypes.ReadWriteTypeWriteOnly || s.DataResources[0].Values[0] != "arn:aws:s3:::audit-bucket/" {
							t.Errorf("data selector changed: %+v", s)
						}
					}
				}
				if data != 1 {
					t.Errorf("%d data selectors, want the 1 kept: %+v", data, out.EventSelectors)
				}
			}},
		{"advanced, data selector first", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{advS3, advMgmt(kmsNotEq, writesOnly)}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				if s := out.AdvancedEventSelectors; len(s) != 2 || !sameAdvanced(s[0], advS3) {
					t.Errorf("data selector not kept: %+v", s)
				}
			}},
		{"advanced, kms not-equals beside a data selector", cloudtrail.PutEventSelectorsInput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{advMgmt(kmsNotEq), advS3}},
			func(t *testing.T, out *cloudtrail.GetEventSelectorsOutput) {
				if s := out.AdvancedEventSelectors; len(s) != 2 || !sameAdvanced(s[1], advS3) {
					t.Errorf("data selector not kept: %+v", s)
				}
			}},
	}
	var scs []scenario
	for _, tc := range cases {
		scs = append(scs, scenario{tc.name, func(t *testing.T, a *account) {
			ms := load(t, "testdata/lab.yaml")
			a.seed(ms)
			c := a.controller(reconcile.Options{})
			a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)

			put := tc.put
			put.TrailName = aws.String(labTrail)
			must(t, "drift: put event selectors", err2(a.ct.PutEventSelectors(bg, &put)))
			a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync).wantAction("Trail/"+labTrail, reconcile.ActionUpdate)

			out, err := a.ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(labTrail)})
			must(t, "get event selectors", err)
			if !kmsReadEventsLogged(out) {
				t.Errorf("KMS still dropped after the repair: %+v %+v", out.EventSelectors, out.AdvancedEventSelectors)
			}
			tc.keep(t, out)
			a.pass(c, ms, false).wantNoop()
		}})
	}
	runOnBothBackends(t, labAccount, scs)
}

func sameAdvanced(a, b cttypes.AdvancedEventSelector) bool {
	return cmp.Equal(a, b, cmp.AllowUnexported(cttypes.AdvancedEventSelector{}, cttypes.AdvancedFieldSelector{}))
}

// TestSelectorRepairRefusesToWidenDataEvents: five write-only data selectors (CloudTrail's most)
// and KMS excluded — the repair cannot log management reads without widening data events, so the
// trail's update fails with a message saying why, the error is not terminal (the user's fix must
// be picked up), and the selectors are left as they were.
func TestSelectorRepairRefusesToWidenDataEvents(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	ms := load(t, "testdata/lab.yaml")
	a.seed(ms)
	c := a.controller(reconcile.Options{})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	var five []cttypes.EventSelector
	for range 5 {
		five = append(five, cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true),
			DataResources: s3Data, ExcludeManagementEventSources: []string{kmsSource}})
	}
	must(t, "drift: put event selectors", err2(a.ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{
		TrailName: aws.String(labTrail), EventSelectors: five})))

	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeFailed)
	ch := o.change("Trail/" + labTrail)
	if o.err == nil || ch.Err == nil || ch.Applied || !strings.Contains(ch.Err.Error(), "free a selector") {
		t.Fatalf("want the trail's update to fail saying why: %+v, %v", ch, o.err)
	}
	if reconcile.IsTerminal(o.err) {
		t.Error("the error is terminal, so the daemon would not see the user's fix")
	}
	if n := o.res.Calls["cloudtrail:PutEventSelectors"]; n != 0 {
		t.Errorf("the selectors were written %d times", n)
	}
	out, err := a.ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(labTrail)})
	must(t, "get event selectors", err)
	if got := out.EventSelectors; len(got) != 5 || got[0].ReadWriteType != cttypes.ReadWriteTypeWriteOnly ||
		len(got[0].ExcludeManagementEventSources) != 1 {
		t.Errorf("selectors changed: %+v", got)
	}
}

// TestTrailKMSKeyIDNoop: a trail's kmsKeyId given as a key id, which CloudTrail reports as the
// key ARN, is not drift. (The key exists and is enabled: a missing one would be a broken
// pipeline.)
func TestTrailKMSKeyIDNoop(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	key, err := kms.NewFromConfig(a.base).CreateKey(bg, &kms.CreateKeyInput{Description: aws.String("trail key")})
	must(t, "create key", err)
	y := strings.Replace(regionYAML("k", ""), "multiRegion: false}", "multiRegion: false, kmsKeyId: "+aws.ToString(key.KeyMetadata.KeyId)+"}", 1)
	ms := loadText(t, y)
	if ms[0].Spec.Trail.KMSKeyID == "" {
		t.Fatal("the fixture lost its kmsKeyId")
	}
	a.seed(ms)
	a.converge(a.controller(reconcile.Options{}), ms)
}
