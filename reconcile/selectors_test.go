package reconcile

import (
	"errors"
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
