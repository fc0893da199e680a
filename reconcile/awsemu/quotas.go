package awsemu

import (
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// defaultQuotas are AWS's default request-rate quotas (requests per second, per account and
// region) for the operations kmswatch calls, as published in
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html,
// https://docs.aws.amazon.com/general/latest/gr/sns.html and, for CloudTrail (1 TPS for every
// mutating API, 10 for Get/Describe/List/Lookup — see quotaFor),
// https://docs.aws.amazon.com/general/latest/gr/ct.html. Operations with no published quota
// (CloudWatch and Logs tagging, SNS CreateTopic…) are not limited rather than guessed.
var defaultQuotas = map[string]float64{
	"cloudwatch:PutMetricAlarm":       3,
	"cloudwatch:DescribeAlarms":       9,
	"cloudwatch:DeleteAlarms":         3,
	"cloudwatch:SetAlarmState":        3,
	"cloudwatch:DescribeAlarmHistory": 3,
	"cloudwatch:EnableAlarmActions":   3,
	"cloudwatch:DisableAlarmActions":  3,
	"cloudwatch:GetMetricData":        50,
	"cloudwatch:PutMetricData":        500,
	"cloudwatch:ListMetrics":          25,
	"cloudwatch:GetMetricStatistics":  400,

	"logs:DescribeLogGroups": 5,
	"logs:CreateLogStream":   50,
	"logs:FilterLogEvents":   5,
	"logs:GetLogEvents":      10,
	"logs:PutLogEvents":      800,

	"sns:Subscribe":                100,
	"sns:Unsubscribe":              100,
	"sns:ListSubscriptionsByTopic": 30,
	"sns:TagResource":              10,
	"sns:UntagResource":            10,
	"sns:ListTagsForResource":      10,

	// KMS: https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html.
	// Symmetric cryptographic operations share one quota (kmsShared), 5,500/s in most Regions
	// (higher in a few); key management is 5/s. The figures are the guide's defaults as
	// remembered, not re-read here: check Service Quotas before relying on them.
	"kms:CreateKey":           5,
	"kms:DisableKey":          5,
	"kms:EnableKey":           5,
	"kms:ScheduleKeyDeletion": 5,
	"kms:DescribeKey":         2000,
	"kms:ListKeys":            100,
	"kms:ListAliases":         100,
}

// kmsShared are the KMS operations that draw on one shared quota.
var kmsShared = map[string]bool{
	"Encrypt": true, "Decrypt": true, "ReEncrypt": true, "GenerateDataKey": true,
	"GenerateDataKeyWithoutPlaintext": true, "GenerateRandom": true, "GenerateMac": true, "VerifyMac": true,
}

// quotaFor returns the bucket a call draws on and its rate; ok is false for an unlimited call.
func (st *faultState) quotaFor(service, op string) (bucket string, rate float64, ok bool) {
	key := service + ":" + op
	if r, set := st.quotas[key]; set {
		return key, r, r > 0
	}
	switch {
	case service == "kms" && kmsShared[op]:
		return "kms:cryptographic", 5500, true
	case service == "cloudtrail" && awsop.ReadOnly(service, op):
		return key, 10, true
	case service == "cloudtrail":
		return key, 1, true
	}
	r, found := defaultQuotas[key]
	return key, r, found
}

// allow takes a token from the call's bucket (per region), refilled on the real clock.
func (st *faultState) allow(c *core.Call) bool {
	bucket, rate, ok := st.quotaFor(c.Service, c.Op)
	if !ok {
		return true
	}
	key := c.Region + "/" + bucket
	b := st.buckets[key]
	now := st.now()
	if b == nil {
		b = &tokenBucket{rate: rate, capacity: max(rate, 1), tokens: max(rate, 1), last: now}
		st.buckets[key] = b
	}
	return b.take(now)
}

// tokenBucket holds up to capacity tokens (one second's worth of requests, at least one) and
// refills at rate per second.
type tokenBucket struct {
	rate, capacity, tokens float64
	last                   time.Time
}

func (b *tokenBucket) take(now time.Time) bool {
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(b.capacity, b.tokens+elapsed*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
