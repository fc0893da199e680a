package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// The narrow interfaces below name exactly the operations the controller calls, with the SDK's own
// signatures, so that the SDK clients satisfy them and a stateful fake can stand in for a unit test.

type alarmsAPI interface {
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	PutMetricAlarm(context.Context, *cloudwatch.PutMetricAlarmInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	DeleteAlarms(context.Context, *cloudwatch.DeleteAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error)
	TagResource(context.Context, *cloudwatch.TagResourceInput, ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error)
	ListTagsForResource(context.Context, *cloudwatch.ListTagsForResourceInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error)
}

type logGroupsAPI interface {
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	DeleteLogGroup(context.Context, *cloudwatchlogs.DeleteLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
	PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteRetentionPolicy(context.Context, *cloudwatchlogs.DeleteRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error)
	TagResource(context.Context, *cloudwatchlogs.TagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error)
	ListTagsForResource(context.Context, *cloudwatchlogs.ListTagsForResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
}

type metricFiltersAPI interface {
	DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
	PutMetricFilter(context.Context, *cloudwatchlogs.PutMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error)
	DeleteMetricFilter(context.Context, *cloudwatchlogs.DeleteMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteMetricFilterOutput, error)
}

// logsAPI is CloudWatch Logs as one client: log groups and the metric filters inside them.
type logsAPI interface {
	logGroupsAPI
	metricFiltersAPI
}

type trailsAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
	CreateTrail(context.Context, *cloudtrail.CreateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error)
	UpdateTrail(context.Context, *cloudtrail.UpdateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error)
	DeleteTrail(context.Context, *cloudtrail.DeleteTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.DeleteTrailOutput, error)
	PutEventSelectors(context.Context, *cloudtrail.PutEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error)
	StartLogging(context.Context, *cloudtrail.StartLoggingInput, ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error)
}

type trailTagsAPI interface {
	AddTags(context.Context, *cloudtrail.AddTagsInput, ...func(*cloudtrail.Options)) (*cloudtrail.AddTagsOutput, error)
	ListTags(context.Context, *cloudtrail.ListTagsInput, ...func(*cloudtrail.Options)) (*cloudtrail.ListTagsOutput, error)
}

// cloudTrailAPI is CloudTrail as one client: trails and their tags.
type cloudTrailAPI interface {
	trailsAPI
	trailTagsAPI
}

type topicsAPI interface {
	GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
	CreateTopic(context.Context, *sns.CreateTopicInput, ...func(*sns.Options)) (*sns.CreateTopicOutput, error)
	SetTopicAttributes(context.Context, *sns.SetTopicAttributesInput, ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error)
	DeleteTopic(context.Context, *sns.DeleteTopicInput, ...func(*sns.Options)) (*sns.DeleteTopicOutput, error)
	TagResource(context.Context, *sns.TagResourceInput, ...func(*sns.Options)) (*sns.TagResourceOutput, error)
	ListTagsForResource(context.Context, *sns.ListTagsForResourceInput, ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error)
}

type subscriptionsAPI interface {
	ListSubscriptionsByTopic(context.Context, *sns.ListSubscriptionsByTopicInput, ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
	Subscribe(context.Context, *sns.SubscribeInput, ...func(*sns.Options)) (*sns.SubscribeOutput, error)
	Unsubscribe(context.Context, *sns.UnsubscribeInput, ...func(*sns.Options)) (*sns.UnsubscribeOutput, error)
}

// snsAPI is SNS as one client: topics and their subscriptions.
type snsAPI interface {
	topicsAPI
	subscriptionsAPI
}

type taggingAPI interface {
	GetResources(context.Context, *resourcegroupstaggingapi.GetResourcesInput, ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

type stsAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var (
	_ alarmsAPI     = (*cloudwatch.Client)(nil)
	_ logsAPI       = (*cloudwatchlogs.Client)(nil)
	_ cloudTrailAPI = (*cloudtrail.Client)(nil)
	_ snsAPI        = (*sns.Client)(nil)
	_ taggingAPI    = (*resourcegroupstaggingapi.Client)(nil)
	_ stsAPI        = (*sts.Client)(nil)
)

// Clients are the AWS clients the controller uses, one per service. NewClients builds them from an
// aws.Config; a test may fill the fields with its own implementations.
type Clients struct {
	CloudWatch alarmsAPI
	Logs       logsAPI
	CloudTrail cloudTrailAPI
	SNS        snsAPI
	Tagging    taggingAPI
	STS        stsAPI

	// ForRegion returns the same clients working in another region: NewClients sets it to build
	// them from the same aws.Config, region overridden, with the same ClientOptions (OnCall and
	// retries shared). The Controller calls it once per region, for the Monitors whose
	// spec.region is not its default one. Nil: the clients reach their own region only.
	ForRegion func(region string) Clients

	// calls counts every attempt made through clients built by NewClients; nil otherwise.
	calls *callCounter
}

// CloudWatch protocols accepted by ClientOptions.CloudWatchProtocol.
const (
	ProtocolCBOR  = "cbor"
	ProtocolQuery = "query"
	ProtocolJSON  = "json"
)

// ClientOptions tune the clients NewClients builds.
type ClientOptions struct {
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
	// RetryMode is aws.RetryModeAdaptive (the default, and the empty value) or
	// aws.RetryModeStandard. Adaptive mode also rate-limits the client after a throttle, sleeping
	// up to seconds: right against AWS, slow for a test that throttles every third call.
	RetryMode aws.RetryMode
}

// NewClients builds the clients from cfg, each retrying throttling and 5xx with the SDK's
// adaptive-mode retryer, and each reporting every attempt to o.OnCall and to the pass's call count.
// An unknown CloudWatchProtocol is treated as the default; check flags with CheckCloudWatchProtocol.
func NewClients(cfg aws.Config, o ClientOptions) Clients {
	proto := strings.ToLower(o.CloudWatchProtocol)
	src := cfg.Copy()
	forRegion := func(region string) Clients {
		rc := src.Copy()
		rc.Region = region
		return NewClients(rc, o)
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
	observe := callMiddleware(counter, o.OnCall)
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), observe)

	cw := cloudwatch.NewFromConfig(cfg, func(co *cloudwatch.Options) {
		switch proto {
		case ProtocolQuery:
			co.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		case ProtocolJSON:
			co.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
			// moto un-gzips a JSON body twice and answers 500 (moto.md §1).
			co.DisableRequestCompression = true
		}
	})
	return Clients{
		CloudWatch: cw,
		Logs:       cloudwatchlogs.NewFromConfig(cfg),
		CloudTrail: cloudtrail.NewFromConfig(cfg),
		SNS:        sns.NewFromConfig(cfg),
		Tagging:    resourcegroupstaggingapi.NewFromConfig(cfg),
		STS:        sts.NewFromConfig(cfg),
		ForRegion:  forRegion,
		calls:      counter,
	}
}

// CheckCloudWatchProtocol reports whether p is a CloudWatch protocol NewClients knows.
func CheckCloudWatchProtocol(p string) error {
	switch strings.ToLower(p) {
	case "", ProtocolCBOR, ProtocolQuery, ProtocolJSON:
		return nil
	}
	return &TerminalError{Invalid: true, Err: fmt.Errorf("cloudwatch protocol %q: must be cbor, query or json", p)}
}

// noRetryOnQuota stops the retryer from retrying a quota error as if it were throttling: the SDK
// counts LimitExceededException among throttle codes (aws-api.md §0.4), but CloudWatch Logs'
// 101st metric filter, or CloudWatch's alarm quota, fails the same way however long one waits.
//
// It also retries two modeled throttles the SDK leaves alone (aws-api.md §0.4, §1.3): SNS's
// ThrottledException ("Throttled") and CloudWatch's ConcurrentModificationException (HTTP 429).
var noRetryOnQuota = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return aws.UnknownTernary
	}
	switch code := ae.ErrorCode(); {
	case isQuotaCode(code):
		return aws.FalseTernary
	case code == "Throttled", code == "ConcurrentModificationException":
		return aws.TrueTernary
	}
	return aws.UnknownTernary
})

func isQuotaCode(code string) bool {
	return code == "LimitExceededException" || code == "LimitExceeded"
}

// callMiddleware adds, at the end of the finalize step (inside the retry loop, so once per attempt),
// a middleware that reports each attempt's service, operation, error code and duration.
func callMiddleware(counter *callCounter, onCall func(service, operation, code string, d time.Duration)) func(*middleware.Stack) error {
	mw := middleware.FinalizeMiddlewareFunc("kmswatchCalls", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		start := time.Now()
		out, md, err := next.HandleFinalize(ctx, in)
		service := serviceName(awsmiddleware.GetServiceID(ctx))
		op := awsmiddleware.GetOperationName(ctx)
		code := errorCode(err)
		counter.add(service, op)
		if onCall != nil {
			onCall(service, op, code, time.Since(start))
		}
		return out, md, err
	})
	return func(s *middleware.Stack) error {
		return s.Finalize.Add(mw, middleware.After)
	}
}

// serviceName maps the SDK's service id to the IAM service prefix, the name an IAM policy and a
// metric label use.
func serviceName(id string) string {
	switch id {
	case "CloudWatch":
		return "cloudwatch"
	case "CloudWatch Logs":
		return "logs"
	case "CloudTrail":
		return "cloudtrail"
	case "SNS":
		return "sns"
	case "Resource Groups Tagging API":
		return "tag"
	case "STS":
		return "sts"
	}
	return strings.ToLower(strings.ReplaceAll(id, " ", ""))
}

// errorCode is "" for success, the AWS error code for an API error, else a fixed word (the label
// must not take unbounded values).
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if errors.Is(err, context.Canceled) {
		return "Canceled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "DeadlineExceeded"
	}
	return "RequestError"
}

// callCounter counts calls by "service:Operation"; safe for concurrent use.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounter) add(service, op string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[service+":"+op]++
}

// snapshot copies the counts.
func (c *callCounter) snapshot() map[string]int {
	out := map[string]int{}
	if c == nil {
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// callsSince is the count of each call made after before was taken.
func callsSince(before, now map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range now {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// IsWriteCall reports whether a "service:Operation" key names a call that changes AWS state:
// everything but Describe*, Get*, List* and the like.
func IsWriteCall(key string) bool {
	op := key
	if i := strings.IndexByte(key, ':'); i >= 0 {
		op = key[i+1:]
	}
	for _, p := range []string{"Describe", "Get", "List", "Lookup", "Test"} {
		if strings.HasPrefix(op, p) {
			return false
		}
	}
	return true
}

// WriteCalls totals the write calls of a call count.
func WriteCalls(calls map[string]int) int {
	n := 0
	for k, v := range calls {
		if IsWriteCall(k) {
			n += v
		}
	}
	return n
}
