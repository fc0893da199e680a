package awsop

import "testing"

func TestReadOnlyAndIsWrite(t *testing.T) {
	cases := []struct {
		key  string
		read bool
	}{
		{"cloudwatch:DescribeAlarms", true},
		{"cloudwatch:GetMetricData", true},
		{"cloudwatch:ListTagsForResource", true},
		{"cloudtrail:LookupEvents", true},
		{"logs:TestMetricFilter", true},
		{"logs:FilterLogEvents", true},
		{"kms:Decrypt", true},
		{"kms:GenerateDataKey", true},
		{"kms:ListAliases", true},
		{"s3:HeadObject", true},
		{"s3:GetObject", true},
		{"s3:PutObject", false},
		{"s3:DeleteObject", false},
		{"cloudwatch:PutMetricAlarm", false},
		{"cloudwatch:PutMetricData", false},
		{"cloudtrail:StartLogging", false},
		{"sns:Publish", false},
		{"sns:Subscribe", false},
		{"kms:ScheduleKeyDeletion", false},
		{"kms:CreateKey", false},
		// Decrypt is only a KMS cryptographic read: another service's operation of that name
		// is not classed by KMS's list.
		{"sns:Decrypt", false},
		{"GetTrail", true},
		{"CreateTrail", false},
	}
	for _, tc := range cases {
		if got := IsWrite(tc.key); got != !tc.read {
			t.Errorf("IsWrite(%q) = %v, want %v", tc.key, got, !tc.read)
		}
	}
	if !ReadOnly("kms", "Encrypt") || ReadOnly("logs", "PutLogEvents") {
		t.Error("ReadOnly disagrees with IsWrite")
	}
}
