package awsclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// The narrow interfaces below name exactly the operations kmswatch calls, with the SDK's own
// signatures, so that the SDK clients satisfy them (checked below).

// AlarmsAPI is what the controller does with CloudWatch alarms.
type AlarmsAPI interface {
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	PutMetricAlarm(context.Context, *cloudwatch.PutMetricAlarmInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	DeleteAlarms(context.Context, *cloudwatch.DeleteAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error)
	TagResource(context.Context, *cloudwatch.TagResourceInput, ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error)
	ListTagsForResource(context.Context, *cloudwatch.ListTagsForResourceInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error)
}

// MetricsAPI reads metric data: AWS/Logs IncomingLogEvents (is the log group receiving?) and the
// heartbeat's metric (has the first heartbeat arrived?).
type MetricsAPI interface {
	GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// CloudWatchAPI is CloudWatch as one client: alarms and metric data.
type CloudWatchAPI interface {
	AlarmsAPI
	MetricsAPI
}

// KMSAPI is the heartbeat call and the state of a trail's KMS key.
type KMSAPI interface {
	ListAliases(context.Context, *kms.ListAliasesInput, ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// LogGroupsAPI is what the controller does with CloudWatch Logs log groups.
type LogGroupsAPI interface {
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	DeleteLogGroup(context.Context, *cloudwatchlogs.DeleteLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
	PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteRetentionPolicy(context.Context, *cloudwatchlogs.DeleteRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error)
	TagResource(context.Context, *cloudwatchlogs.TagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error)
	ListTagsForResource(context.Context, *cloudwatchlogs.ListTagsForResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
}

// MetricFiltersAPI is what the controller does with metric filters.
type MetricFiltersAPI interface {
	DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
	PutMetricFilter(context.Context, *cloudwatchlogs.PutMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error)
	DeleteMetricFilter(context.Context, *cloudwatchlogs.DeleteMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteMetricFilterOutput, error)
}

// LogsAPI is CloudWatch Logs as one client: log groups and the metric filters inside them.
type LogsAPI interface {
	LogGroupsAPI
	MetricFiltersAPI
}

// TrailsAPI is what the controller does with CloudTrail trails.
type TrailsAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
	CreateTrail(context.Context, *cloudtrail.CreateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error)
	UpdateTrail(context.Context, *cloudtrail.UpdateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error)
	DeleteTrail(context.Context, *cloudtrail.DeleteTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.DeleteTrailOutput, error)
	PutEventSelectors(context.Context, *cloudtrail.PutEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error)
	StartLogging(context.Context, *cloudtrail.StartLoggingInput, ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error)
}

// TrailTagsAPI tags trails (CloudTrail has tagging calls of its own).
type TrailTagsAPI interface {
	AddTags(context.Context, *cloudtrail.AddTagsInput, ...func(*cloudtrail.Options)) (*cloudtrail.AddTagsOutput, error)
	ListTags(context.Context, *cloudtrail.ListTagsInput, ...func(*cloudtrail.Options)) (*cloudtrail.ListTagsOutput, error)
}

// CloudTrailAPI is CloudTrail as one client: trails and their tags.
type CloudTrailAPI interface {
	TrailsAPI
	TrailTagsAPI
}

// TopicsAPI is what the controller does with SNS topics.
type TopicsAPI interface {
	GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
	CreateTopic(context.Context, *sns.CreateTopicInput, ...func(*sns.Options)) (*sns.CreateTopicOutput, error)
	SetTopicAttributes(context.Context, *sns.SetTopicAttributesInput, ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error)
	DeleteTopic(context.Context, *sns.DeleteTopicInput, ...func(*sns.Options)) (*sns.DeleteTopicOutput, error)
	TagResource(context.Context, *sns.TagResourceInput, ...func(*sns.Options)) (*sns.TagResourceOutput, error)
	ListTagsForResource(context.Context, *sns.ListTagsForResourceInput, ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error)
}

// SubscriptionsAPI is what the controller does with SNS subscriptions.
type SubscriptionsAPI interface {
	ListSubscriptionsByTopic(context.Context, *sns.ListSubscriptionsByTopicInput, ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
	GetSubscriptionAttributes(context.Context, *sns.GetSubscriptionAttributesInput, ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error)
	Subscribe(context.Context, *sns.SubscribeInput, ...func(*sns.Options)) (*sns.SubscribeOutput, error)
	Unsubscribe(context.Context, *sns.UnsubscribeInput, ...func(*sns.Options)) (*sns.UnsubscribeOutput, error)
}

// SNSAPI is SNS as one client: topics and their subscriptions.
type SNSAPI interface {
	TopicsAPI
	SubscriptionsAPI
}

// TaggingAPI reads ownership tags in bulk (the Resource Groups Tagging API).
type TaggingAPI interface {
	GetResources(context.Context, *resourcegroupstaggingapi.GetResourcesInput, ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

// STSAPI names the caller.
type STSAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var (
	_ CloudWatchAPI = (*cloudwatch.Client)(nil)
	_ KMSAPI        = (*kms.Client)(nil)
	_ LogsAPI       = (*cloudwatchlogs.Client)(nil)
	_ CloudTrailAPI = (*cloudtrail.Client)(nil)
	_ SNSAPI        = (*sns.Client)(nil)
	_ TaggingAPI    = (*resourcegroupstaggingapi.Client)(nil)
	_ STSAPI        = (*sts.Client)(nil)
)

// Clients are the AWS clients the controller uses, one per service. New builds them from an
// aws.Config; a test may fill the fields with its own implementations.
type Clients struct {
	CloudWatch CloudWatchAPI
	KMS        KMSAPI
	Logs       LogsAPI
	CloudTrail CloudTrailAPI
	SNS        SNSAPI
	Tagging    TaggingAPI
	STS        STSAPI

	// ForRegion returns the same clients working in another region: New sets it to build
	// them from the same aws.Config, region overridden, with the same Options (OnCall and
	// retries shared). The Controller calls it once per region, for the Monitors whose
	// spec.region is not its default one. Nil: the clients reach their own region only.
	ForRegion func(region string) Clients

	// calls counts every attempt made through clients built by New; nil otherwise.
	calls *callCounter
}

// CloudWatch protocols accepted by Options.CloudWatchProtocol.
const (
	ProtocolCBOR  = "cbor"
	ProtocolQuery = "query"
	ProtocolJSON  = "json"
)

// Options tune the clients New builds.
type Options struct {
	// CloudWatchProtocol is "cbor" (the SDK's default, and the empty value), "query" or "json".
	// Emulators such as moto speak only query and JSON to CloudWatch.
	CloudWatchProtocol string
	// OnCall, if set, is told the outcome of every attempt of every call: code is "" on success,
	// else the AWS error code, "Canceled", "DeadlineExceeded" or "RequestError" (transport).
	OnCall func(service, operation, code string, d time.Duration)
	// MaxAttempts per call, retries included; 0 means the SDK default (3).
	MaxAttempts int
	// MaxBackoff between attempts; 0 means the SDK default (20s). Tests set it tiny.
	MaxBackoff time.Duration
	// WriteGate, if set, is asked before every attempt of every call that changes AWS state
	// (awsop.ReadOnly is false). It returns the context the attempt is sent under, with the
	// function that releases it, or an error that stops the call before it is sent and is the
	// call's error. A leader whose lease is past its renew deadline closes the gate, so that it
	// writes nothing once a standby may take over, and bounds each write to that deadline, so
	// that a hung write is abandoned in time (reconcile/lease's Elector.Guard has this shape).
	// Reads go through: a standby's view is harmless.
	WriteGate func(ctx context.Context, service, operation string) (context.Context, context.CancelFunc, error)
	// RetryMode is aws.RetryModeAdaptive (the default, and the empty value) or
	// aws.RetryModeStandard. Adaptive mode also rate-limits the client after a throttle, sleeping
	// up to seconds: right against AWS, slow for a test that throttles every third call.
	RetryMode aws.RetryMode
}

// New builds the clients from cfg, each retrying throttling and 5xx with the SDK's
// adaptive-mode retryer, and each reporting every attempt to o.OnCall and to the pass's call count.
// An unknown CloudWatchProtocol is treated as the default; check flags with CheckCloudWatchProtocol.
func New(cfg aws.Config, o Options) Clients {
	proto := strings.ToLower(o.CloudWatchProtocol)
	src := cfg.Copy()
	forRegion := func(region string) Clients {
		rc := src.Copy()
		rc.Region = region
		return New(rc, o)
	}
	cfg = cfg.Copy()
	if o.MaxAttempts > 0 {
		// Every service client wraps cfg.Retryer with cfg.RetryMaxAttempts when that is set (as
		// AWS_MAX_ATTEMPTS or a test's config does), which would silently undo o.MaxAttempts.
		cfg.RetryMaxAttempts = o.MaxAttempts
	}
	standard := func(so *retry.StandardOptions) {
		so.Retryables = append([]retry.IsErrorRetryable{noRetryOnQuota}, so.Retryables...)
		if o.MaxAttempts > 0 {
			so.MaxAttempts = o.MaxAttempts
		}
		if o.MaxBackoff > 0 {
			so.MaxBackoff = o.MaxBackoff
		}
	}
	cfg.Retryer = func() aws.Retryer {
		if o.RetryMode == aws.RetryModeStandard {
			return retry.NewStandard(standard)
		}
		return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
			ao.StandardOptions = append(ao.StandardOptions, standard)
		})
	}
	counter := &callCounter{}
	observe := callMiddleware(counter, o.OnCall, o.WriteGate)
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), observe)

	cw := cloudwatch.NewFromConfig(cfg, func(co *cloudwatch.Options) {
		switch proto {
		case ProtocolQuery:
			co.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		case ProtocolJSON:
			co.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
			// moto 5.2 answers 500 to a gzipped JSON body (its server mode decompresses
			// the body twice): https://github.com/getmoto/moto/pull/9236
			co.DisableRequestCompression = true
		}
	})
	return Clients{
		CloudWatch: cw,
		KMS:        kms.NewFromConfig(cfg),
		Logs:       cloudwatchlogs.NewFromConfig(cfg),
		CloudTrail: cloudtrail.NewFromConfig(cfg),
		SNS:        sns.NewFromConfig(cfg),
		Tagging:    resourcegroupstaggingapi.NewFromConfig(cfg),
		STS:        sts.NewFromConfig(cfg),
		ForRegion:  forRegion,
		calls:      counter,
	}
}

// CheckCloudWatchProtocol reports whether p is a CloudWatch protocol New knows.
func CheckCloudWatchProtocol(p string) error {
	switch strings.ToLower(p) {
	case "", ProtocolCBOR, ProtocolQuery, ProtocolJSON:
		return nil
	}
	return fmt.Errorf("cloudwatch protocol %q: must be cbor, query or json", p)
}

// noRetryOnQuota stops the retryer from retrying a quota error as if it were throttling: the SDK
// counts LimitExceededException among its throttle codes (aws/retry's DefaultThrottleErrorCodes),
// but CloudWatch Logs' 101st metric filter, or CloudWatch's alarm quota, fails the same way
// however long one waits.
//
// It also retries two modeled throttles the SDK leaves alone: SNS's ThrottledException (code
// "Throttled", HTTP 429) and CloudWatch's ConcurrentModificationException (HTTP 429), both
// documented as "try again later" in the services' API references.
var noRetryOnQuota = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return aws.UnknownTernary
	}
	switch code := ae.ErrorCode(); {
	case IsQuotaCode(code):
		return aws.FalseTernary
	case code == "Throttled", code == "ConcurrentModificationException":
		return aws.TrueTernary
	}
	return aws.UnknownTernary
})

func IsQuotaCode(code string) bool {
	return code == "LimitExceededException" || code == "LimitExceeded"
}
