package awsemu

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// retrying makes cfg retry as the SDK's standard retryer does (3 attempts, its own retryable
// error codes and statuses), without the backoff sleeps.
func retrying(cfg aws.Config) aws.Config {
	cfg.RetryMaxAttempts = 3
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	return cfg
}

func codes(e *Emulator, op string) []string {
	var out []string
	for _, r := range e.Instruments().CallLog() {
		if r.Op == op {
			out = append(out, r.Code)
		}
	}
	return out
}

func TestFaultThrottleIsRetriedByTheSDK(t *testing.T) {
	for _, proto := range []string{"cbor", "query", "json"} {
		t.Run(proto, func(t *testing.T) {
			e := New(Options{Start: cwT0})
			cfg := testConfig(t, e)
			e.Instruments().InjectFault(Fault{Service: "cloudwatch", Op: "DescribeAlarms", Kind: Throttle, Times: 2})
			// One attempt: the caller sees CloudWatch's own throttling code.
			_, err := cloudwatch.NewFromConfig(cfg, cwProtocols[proto]).DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{})
			wantCode(t, err, "Throttling")
			// The standard retryer retries it: the second throttle, then success.
			if _, err := cloudwatch.NewFromConfig(retrying(cfg), cwProtocols[proto]).DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{}); err != nil {
				t.Fatalf("retried call failed: %v", err)
			}
			if got := codes(e, "DescribeAlarms"); len(got) != 3 || got[0] != "Throttling" || got[1] != "Throttling" || got[2] != "" {
				t.Fatalf("calls %q, want two throttled then one served", got)
			}
			if log := e.Instruments().CallLog(); !log[0].Time.Equal(cwT0) {
				t.Fatalf("a refused call is logged at %v, want the emulated time %v", log[0].Time, cwT0)
			}
		})
	}
}

func TestFaultServerErrorIsRetriedByTheSDK(t *testing.T) {
	e := New(Options{Start: cwT0})
	cfg := testConfig(t, e)
	e.Instruments().InjectFault(Fault{Service: "cloudwatch", Op: "PutMetricAlarm", Kind: ServerError, Nth: 1})
	_, err := cloudwatch.NewFromConfig(cfg).PutMetricAlarm(context.Background(), alarmInput("a"))
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("want a 500, got %v", err)
	}
	wantCode(t, err, "InternalServiceError")
	// The first fault has fired its only time; a new one fails the first attempt of the next call.
	e.Instruments().InjectFault(Fault{Service: "cloudwatch", Op: "PutMetricAlarm", Kind: ServerError, Nth: 1})
	if _, err := cloudwatch.NewFromConfig(retrying(cfg)).PutMetricAlarm(context.Background(), alarmInput("a")); err != nil {
		t.Fatalf("5xx not retried: %v", err)
	}
	if got := codes(e, "PutMetricAlarm"); len(got) != 3 || got[1] != "InternalServiceError" || got[2] != "" {
		t.Fatalf("calls %q", got)
	}
	describeOne(t, cloudwatch.NewFromConfig(cfg), "a")
}

func TestFaultEveryNthAndRemove(t *testing.T) {
	e := New(Options{Start: cwT0})
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	remove := e.Instruments().InjectFault(Fault{Service: "cloudwatch", Kind: Throttle, Every: 2})
	var got []bool
	for i := 0; i < 4; i++ {
		_, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
		got = append(got, err == nil)
	}
	if want := []bool{true, false, true, false}; !equalBools(got, want) {
		t.Fatalf("Every=2: ok per call %v, want %v", got, want)
	}
	remove()
	for i := 0; i < 2; i++ {
		if _, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{}); err != nil {
			t.Fatalf("fault still active after remove: %v", err)
		}
	}
	e.Instruments().InjectFault(Fault{Kind: ServerError})
	if _, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{}); err == nil {
		t.Fatal("a fault on any service did not fire")
	}
	e.Instruments().ClearFaults()
	if _, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{}); err != nil {
		t.Fatalf("fault still active after ClearFaults: %v", err)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultLatency(t *testing.T) {
	e := New(Options{Start: cwT0})
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	e.Instruments().InjectFault(Fault{Service: "cloudwatch", Op: "ListMetrics", Kind: Latency, Latency: 80 * time.Millisecond})
	start := time.Now()
	if _, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{}); err != nil {
		t.Fatal(err)
	}
	// Only a lower bound: the call cannot be faster than the injected delay.
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("call took %v, want at least the injected 80ms", d)
	}
}

// TestFaultOtherServicesThrottle checks each service's own throttling error reaches its SDK
// client with the code the standard retryer retries.
func TestFaultOtherServicesThrottle(t *testing.T) {
	e := New(Options{Start: cwT0})
	cfg := testConfig(t, e)
	e.Instruments().InjectFault(Fault{Kind: Throttle})
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"logs", func() error {
			_, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			return err
		}, "ThrottlingException"},
		{"cloudtrail", func() error {
			_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		}, "ThrottlingException"},
		{"kms", func() error {
			_, err := kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{})
			return err
		}, "ThrottlingException"},
		{"sns", func() error {
			_, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
			return err
		}, "Throttling"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, tc.code)
			if !retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() {
				t.Fatalf("%s: the SDK would not retry %v as a throttle", tc.name, err)
			}
		})
	}
}

func TestQuotasOnTheRealClock(t *testing.T) {
	e := New(Options{Start: cwT0})
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	ctx := context.Background()
	clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	e.Instruments().EnableQuotas()
	e.mu.Lock()
	e.inst.faults.now = func() time.Time { return clock }
	e.mu.Unlock()
	burst := func(n int, call func() error) (ok int) {
		for i := 0; i < n; i++ {
			if err := call(); err == nil {
				ok++
			} else {
				wantCode(t, err, "Throttling")
			}
		}
		return ok
	}
	describe := func() error { _, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); return err }
	if ok := burst(12, describe); ok != 9 {
		t.Fatalf("DescribeAlarms: %d of 12 served in one instant, want 9 (9 TPS)", ok)
	}
	put := func() error { _, err := cw.PutMetricAlarm(ctx, alarmInput("q")); return err }
	if ok := burst(5, put); ok != 3 {
		t.Fatalf("PutMetricAlarm: %d of 5 served, want 3 (3 TPS)", ok)
	}
	clock = clock.Add(400 * time.Millisecond) // 1.2 PutMetricAlarm tokens back, 3.6 DescribeAlarms
	if ok := burst(2, put); ok != 1 {
		t.Fatalf("PutMetricAlarm after 0.4 s: %d served, want 1", ok)
	}
	if ok := burst(5, describe); ok != 3 {
		t.Fatalf("DescribeAlarms after 0.4 s: %d served, want 3", ok)
	}
	// CloudTrail: every mutating API is limited to 1 TPS (whatever the first call answers).
	ct := cloudtrail.NewFromConfig(testConfig(t, e))
	_, _ = ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("trail")})
	_, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("trail")})
	wantCode(t, err, "ThrottlingException")
	e.Instruments().SetQuota("cloudwatch", "DescribeAlarms", 0)
	if ok := burst(20, describe); ok != 20 {
		t.Fatalf("DescribeAlarms with its quota lifted: %d of 20 served", ok)
	}
	e.Instruments().DisableQuotas()
	if ok := burst(10, put); ok != 10 {
		t.Fatalf("PutMetricAlarm with quotas off: %d of 10 served", ok)
	}
}

// TestFaultDeny: a Deny fault answers each service's access-denied error, naming the principal
// and the action, and the SDK does not retry it.
func TestFaultDeny(t *testing.T) {
	e := New(Options{Start: cwT0})
	e.AddUser("AKIDOPS", "ops")
	cfg := emuConfig(e, "AKIDOPS")
	e.Instruments().InjectFault(Fault{Service: "logs", Op: "PutMetricFilter", Kind: Deny})
	e.Instruments().InjectFault(Fault{Service: "cloudwatch", Op: "PutMetricAlarm", Kind: Deny})
	_, err := cloudwatchlogs.NewFromConfig(retrying(cfg)).PutMetricFilter(context.Background(), &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("g"), FilterName: aws.String("f"), FilterPattern: aws.String(""),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String("m"), MetricNamespace: aws.String("n"), MetricValue: aws.String("1")}}})
	wantCode(t, err, "AccessDeniedException")
	if !strings.Contains(err.Error(), "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: logs:PutMetricFilter") {
		t.Errorf("message: %v", err)
	}
	_, err = cloudwatch.NewFromConfig(retrying(cfg)).PutMetricAlarm(context.Background(), alarmInput("a"))
	wantCode(t, err, "AccessDenied")
	if got := codes(e, "PutMetricAlarm"); len(got) != 1 {
		t.Errorf("an access-denied call was retried: %q", got)
	}
}
