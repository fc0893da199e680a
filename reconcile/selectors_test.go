package reconcile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"
)

// Selectors a user may have on a trail besides what the monitor needs.
var (
	s3Data = []ctypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::audit-bucket/"}}}

	advMgmt = func(extra ...ctypes.AdvancedFieldSelector) ctypes.AdvancedEventSelector {
		return ctypes.AdvancedEventSelector{Name: aws.String("mgmt"), FieldSelectors: append(
			[]ctypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}, extra...)}
	}
	advS3 = ctypes.AdvancedEventSelector{Name: aws.String("s3 writes"), FieldSelectors: []ctypes.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
		{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
		{Field: aws.String("readOnly"), Equals: []string{"false"}},
	}}
	kmsNotEq    = ctypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{kmsSource}}
	writesOnly  = ctypes.AdvancedFieldSelector{Field: aws.String("readOnly"), Equals: []string{"false"}}
	kmsRdsNotEq = ctypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{kmsSource, "rdsdata.amazonaws.com"}}
)

func TestRepairSelectors(t *testing.T) {
	all, wo, ro := ctypes.ReadWriteTypeAll, ctypes.ReadWriteTypeWriteOnly, ctypes.ReadWriteTypeReadOnly
	mgmtAll := ctypes.EventSelector{ReadWriteType: all, IncludeManagementEvents: aws.Bool(true)}
	cases := []struct {
		name string
		in   TrailSelectors
		want TrailSelectors
		err  error
	}{
		{"none: one management selector", TrailSelectors{}, TrailSelectors{Basic: []ctypes.EventSelector{mgmtAll}}, nil},
		{"kms excluded on a data selector: only kms un-excluded",
			TrailSelectors{Basic: []ctypes.EventSelector{{ReadWriteType: all, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
				ExcludeManagementEventSources: []string{kmsSource, "rdsdata.amazonaws.com"}}}},
			TrailSelectors{Basic: []ctypes.EventSelector{{ReadWriteType: all, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
				ExcludeManagementEventSources: []string{"rdsdata.amazonaws.com"}}}}, nil},
		{"write-only data selector: its type kept, a management selector appended",
			TrailSelectors{Basic: []ctypes.EventSelector{{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data}}},
			TrailSelectors{Basic: []ctypes.EventSelector{{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data}, mgmtAll}}, nil},
		{"management off on a pure selector beside a data one: the pure one repaired",
			TrailSelectors{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(false), DataResources: s3Data},
				{ReadWriteType: ro, IncludeManagementEvents: aws.Bool(false)}}},
			TrailSelectors{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(false), DataResources: s3Data},
				mgmtAll}}, nil},
		{"five write-only data selectors and one of type All: management included on that one",
			TrailSelectors{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: all, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)}}},
			TrailSelectors{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: all, DataResources: s3Data, IncludeManagementEvents: aws.Bool(true)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)}}}, nil},
		{"five write-only data selectors: refused, not widened",
			TrailSelectors{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, DataResources: s3Data}, {ReadWriteType: wo, DataResources: s3Data}, {ReadWriteType: wo, DataResources: s3Data},
				{ReadWriteType: wo, DataResources: s3Data}, {ReadWriteType: wo, DataResources: s3Data}}},
			TrailSelectors{}, errNoSelectorSlot},
		{"advanced: data selector kept, management selector repaired in place",
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{advS3, advMgmt(kmsNotEq, writesOnly)}},
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{advS3, advMgmt()}}, nil},
		{"advanced: another source's exclusion kept",
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{advMgmt(kmsRdsNotEq), advS3}},
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{
				advMgmt(ctypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{"rdsdata.amazonaws.com"}}), advS3}}, nil},
		{"advanced: two management selectors become one",
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{advMgmt(writesOnly), advS3, advMgmt(kmsRdsNotEq)}},
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{advMgmt(), advS3}}, nil},
		{"advanced: no management selector, one appended",
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{advS3}},
			TrailSelectors{Advanced: []ctypes.AdvancedEventSelector{advS3, {Name: aws.String("Management events"),
				FieldSelectors: []ctypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := repairSelectors(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if d := cmp.Diff(tc.want, got, cmp.AllowUnexported(ctypes.EventSelector{}, ctypes.AdvancedEventSelector{},
				ctypes.AdvancedFieldSelector{}, ctypes.DataResource{})); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
			if !got.management().logsKMS() {
				t.Errorf("repaired selectors still drop KMS: %+v", got.management())
			}
		})
	}
}

// TestSelectorRepairKeepsDataEvents: a trail that logs data events and has KMS dropped is repaired
// to log KMS, with its data selectors intact, and the pass after the repair writes nothing.
func TestSelectorRepairKeepsDataEvents(t *testing.T) {
	cases := []struct {
		name     string
		basic    []ctypes.EventSelector
		advanced []ctypes.AdvancedEventSelector
		keep     func(t *testing.T, tr *fakeTrail)
	}{
		{"basic, kms excluded on the data selector", []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll,
			IncludeManagementEvents: aws.Bool(true), DataResources: s3Data, ExcludeManagementEventSources: []string{kmsSource}}}, nil,
			func(t *testing.T, tr *fakeTrail) {
				if len(tr.basic) != 1 || len(tr.basic[0].DataResources) != 1 || tr.basic[0].ReadWriteType != ctypes.ReadWriteTypeAll {
					t.Errorf("data selector not kept: %+v", tr.basic)
				}
			}},
		{"basic, write-only data selector", []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeWriteOnly,
			IncludeManagementEvents: aws.Bool(true), DataResources: s3Data}}, nil,
			func(t *testing.T, tr *fakeTrail) {
				if len(tr.basic) != 2 || len(tr.basic[0].DataResources) != 1 || tr.basic[0].ReadWriteType != ctypes.ReadWriteTypeWriteOnly {
					t.Errorf("data selector not kept write-only: %+v", tr.basic)
				}
			}},
		{"advanced, kms not-equals beside a data selector", nil, []ctypes.AdvancedEventSelector{advMgmt(kmsNotEq), advS3},
			func(t *testing.T, tr *fakeTrail) {
				if len(tr.advanced) != 2 || !cmp.Equal(tr.advanced[1], advS3, cmp.AllowUnexported(ctypes.AdvancedEventSelector{}, ctypes.AdvancedFieldSelector{})) {
					t.Errorf("data selector not kept: %+v", tr.advanced)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAWS()
			c := newTestController(f, Options{})
			ms := loadMonitors(t, "testdata/lab.yaml")
			reconcile(t, c, ms, false)
			f.mu.Lock()
			tr := f.trails["pattern1-logging-trail"]
			tr.basic, tr.advanced = tc.basic, tc.advanced
			f.mu.Unlock()

			res := reconcile(t, c, ms, false)
			if ch := findChange(res, "Trail/pattern1-logging-trail"); ch == nil || ch.Action != ActionUpdate || !ch.Applied {
				t.Fatalf("trail: %+v, want an applied update", ch)
			}
			f.mu.Lock()
			sel := TrailSelectors{Basic: tr.basic, Advanced: tr.advanced}
			f.mu.Unlock()
			if !sel.management().logsKMS() {
				t.Errorf("KMS still dropped after the repair: %+v", sel)
			}
			tc.keep(t, tr)

			f.resetCalls()
			requireAllNoop(t, reconcile(t, c, ms, false))
			if _, writes := f.callCount(); writes != 0 {
				t.Errorf("pass after the repair wrote: %v", f.calls)
			}
		})
	}
}

// TestSelectorRepairRefusesToWidenDataEvents: five write-only data selectors and KMS excluded —
// the repair cannot log management reads without widening data events, so the trail's update
// fails with a message saying why, and its selectors are left as they were.
func TestSelectorRepairRefusesToWidenDataEvents(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	ms := loadMonitors(t, "testdata/lab.yaml")
	reconcile(t, c, ms, false)
	var five []ctypes.EventSelector
	for i := 0; i < 5; i++ {
		five = append(five, ctypes.EventSelector{ReadWriteType: ctypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true),
			DataResources: s3Data, ExcludeManagementEventSources: []string{kmsSource}})
	}
	f.mu.Lock()
	f.trails["pattern1-logging-trail"].basic = five
	f.mu.Unlock()

	f.resetCalls()
	res, err := c.Reconcile(context.Background(), ms, false)
	ch := findChange(res, "Trail/pattern1-logging-trail")
	if err == nil || ch == nil || ch.Err == nil || !strings.Contains(ch.Err.Error(), "free a selector") {
		t.Fatalf("want the trail's update to fail saying why: %+v, %v", ch, err)
	}
	if IsTerminal(err) {
		t.Error("the error is terminal, so the daemon would not see the user's fix")
	}
	if f.calls["cloudtrail:PutEventSelectors"] != 0 {
		t.Error("the selectors were written")
	}
	if got := f.trails["pattern1-logging-trail"].basic; len(got) != 5 || got[0].ReadWriteType != ctypes.ReadWriteTypeWriteOnly {
		t.Errorf("selectors changed: %+v", got)
	}
}
