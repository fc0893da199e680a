package selectors

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
	kmsNotEq    = ctypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{KMSSource}}
	writesOnly  = ctypes.AdvancedFieldSelector{Field: aws.String("readOnly"), Equals: []string{"false"}}
	kmsRdsNotEq = ctypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{KMSSource, "rdsdata.amazonaws.com"}}
)

func TestRepairSelectors(t *testing.T) {
	all, wo, ro := ctypes.ReadWriteTypeAll, ctypes.ReadWriteTypeWriteOnly, ctypes.ReadWriteTypeReadOnly
	mgmtAll := ctypes.EventSelector{ReadWriteType: all, IncludeManagementEvents: aws.Bool(true)}
	cases := []struct {
		name string
		in   Set
		want Set
		err  error
	}{
		{"none: one management selector", Set{}, Set{Basic: []ctypes.EventSelector{mgmtAll}}, nil},
		{"kms excluded on a data selector: only kms un-excluded",
			Set{Basic: []ctypes.EventSelector{{ReadWriteType: all, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
				ExcludeManagementEventSources: []string{KMSSource, "rdsdata.amazonaws.com"}}}},
			Set{Basic: []ctypes.EventSelector{{ReadWriteType: all, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data,
				ExcludeManagementEventSources: []string{"rdsdata.amazonaws.com"}}}}, nil},
		{"write-only data selector: its type kept, a management selector appended",
			Set{Basic: []ctypes.EventSelector{{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data}}},
			Set{Basic: []ctypes.EventSelector{{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(true), DataResources: s3Data}, mgmtAll}}, nil},
		{"management off on a pure selector beside a data one: the pure one repaired",
			Set{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(false), DataResources: s3Data},
				{ReadWriteType: ro, IncludeManagementEvents: aws.Bool(false)}}},
			Set{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, IncludeManagementEvents: aws.Bool(false), DataResources: s3Data},
				mgmtAll}}, nil},
		{"five write-only data selectors and one of type All: management included on that one",
			Set{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: all, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)}}},
			Set{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: all, DataResources: s3Data, IncludeManagementEvents: aws.Bool(true)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)},
				{ReadWriteType: wo, DataResources: s3Data, IncludeManagementEvents: aws.Bool(false)}}}, nil},
		{"five write-only data selectors: refused, not widened",
			Set{Basic: []ctypes.EventSelector{
				{ReadWriteType: wo, DataResources: s3Data}, {ReadWriteType: wo, DataResources: s3Data}, {ReadWriteType: wo, DataResources: s3Data},
				{ReadWriteType: wo, DataResources: s3Data}, {ReadWriteType: wo, DataResources: s3Data}}},
			Set{}, ErrNoSlot},
		{"advanced: data selector kept, management selector repaired in place",
			Set{Advanced: []ctypes.AdvancedEventSelector{advS3, advMgmt(kmsNotEq, writesOnly)}},
			Set{Advanced: []ctypes.AdvancedEventSelector{advS3, advMgmt()}}, nil},
		{"advanced: another source's exclusion kept",
			Set{Advanced: []ctypes.AdvancedEventSelector{advMgmt(kmsRdsNotEq), advS3}},
			Set{Advanced: []ctypes.AdvancedEventSelector{
				advMgmt(ctypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{"rdsdata.amazonaws.com"}}), advS3}}, nil},
		{"advanced: two management selectors become one",
			Set{Advanced: []ctypes.AdvancedEventSelector{advMgmt(writesOnly), advS3, advMgmt(kmsRdsNotEq)}},
			Set{Advanced: []ctypes.AdvancedEventSelector{advMgmt(), advS3}}, nil},
		{"advanced: no management selector, one appended",
			Set{Advanced: []ctypes.AdvancedEventSelector{advS3}},
			Set{Advanced: []ctypes.AdvancedEventSelector{advS3, {Name: aws.String("Management events"),
				FieldSelectors: []ctypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Repair(tc.in)
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
			if !got.Management().LogsKMS() {
				t.Errorf("repaired selectors still drop KMS: %+v", got.Management())
			}
		})
	}
}

func TestManagementEvents(t *testing.T) {
	all := Management{Included: true, ReadWriteType: "All"}
	cases := []struct {
		name     string
		basic    []ctypes.EventSelector
		advanced []ctypes.AdvancedEventSelector
		want     Management
		logsKMS  bool
	}{
		{"no selectors: AWS default", nil, nil, all, true},
		{"all", []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}}, nil, all, true},
		{"kms excluded", []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, ExcludeManagementEventSources: []string{KMSSource}}}, nil,
			Management{Included: true, ReadWriteType: "All", ExcludedSources: []string{KMSSource}}, false},
		{"write only", []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeWriteOnly}}, nil,
			Management{Included: true, ReadWriteType: "WriteOnly"}, false},
		{"read + write selectors", []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeWriteOnly}, {ReadWriteType: ctypes.ReadWriteTypeReadOnly}}, nil, all, true},
		{"one selector excludes, another does not", []ctypes.EventSelector{
			{ReadWriteType: ctypes.ReadWriteTypeAll, ExcludeManagementEventSources: []string{KMSSource}},
			{ReadWriteType: ctypes.ReadWriteTypeAll}}, nil, all, true},
		{"management off", []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false)}}, nil,
			Management{ReadWriteType: "All"}, false},
		{"advanced, all management", nil, []ctypes.AdvancedEventSelector{{FieldSelectors: []ctypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}},
			Management{Included: true, ReadWriteType: "All", Advanced: true}, true},
		{"advanced, kms not equals", nil, []ctypes.AdvancedEventSelector{{FieldSelectors: []ctypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("eventSource"), NotEquals: []string{KMSSource}}}}},
			Management{Included: true, ReadWriteType: "All", ExcludedSources: []string{KMSSource}, Advanced: true}, false},
		{"advanced, write only", nil, []ctypes.AdvancedEventSelector{{FieldSelectors: []ctypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("readOnly"), Equals: []string{"false"}}}}},
			Management{Included: true, ReadWriteType: "WriteOnly", Advanced: true}, false},
		{"advanced, data events only", nil, []ctypes.AdvancedEventSelector{{FieldSelectors: []ctypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}}}}},
			Management{ReadWriteType: "All", Advanced: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Effect(tc.basic, tc.advanced)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
			if got.LogsKMS() != tc.logsKMS {
				t.Errorf("logsKMS %v, want %v", got.LogsKMS(), tc.logsKMS)
			}
		})
	}
}
