package awsclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
)

func testConfig(url string) aws.Config {
	return aws.Config{
		Region:       "ap-southeast-2",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	}
}

// TestClientsRetryAndReportEveryAttempt: throttling is retried with backoff by the adaptive
// retryer, and OnCall sees each attempt with its outcome.
func TestClientsRetryAndReportEveryAttempt(t *testing.T) {
	url, _ := failOnce(t, 400, "Throttling",
		`<GetTopicAttributesResponse><GetTopicAttributesResult><Attributes><entry><key>DisplayName</key><value>d</value></entry></Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetTopicAttributesResponse>`)
	var mu sync.Mutex
	type call struct{ service, op, code string }
	var calls []call
	cl := New(testConfig(url), Options{MaxAttempts: 3, MaxBackoff: time.Millisecond, RetryMode: aws.RetryModeStandard,
		OnCall: func(service, op, code string, _ time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, call{service, op, code})
		}})
	out, err := cl.SNS.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:ap-southeast-2:1:t")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Attributes["DisplayName"] != "d" {
		t.Errorf("attributes %v", out.Attributes)
	}
	want := []call{{"sns", "GetTopicAttributes", "Throttling"}, {"sns", "GetTopicAttributes", ""}}
	if len(calls) != 2 || calls[0] != want[0] || calls[1] != want[1] {
		t.Errorf("OnCall saw %v, want %v", calls, want)
	}
	if got := cl.Calls()["sns:GetTopicAttributes"]; got != 2 {
		t.Errorf("counted %d attempts", got)
	}
}

// TestCloudWatchQueryProtocol: with "query" the CloudWatch client posts a form to "/", as moto needs.
func TestCloudWatchQueryProtocol(t *testing.T) {
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = r.URL.Path + "?" + string(b)
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms/></DescribeAlarmsResult></DescribeAlarmsResponse>`)
	}))
	defer srv.Close()
	cl := New(testConfig(srv.URL), Options{CloudWatchProtocol: "query"})
	if _, err := cl.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := cl.CloudWatch.(*cloudwatch.Client).Options().Retryer.(*retry.AdaptiveMode); !ok {
		t.Errorf("the default retryer is %T, want adaptive mode", cl.CloudWatch.(*cloudwatch.Client).Options().Retryer)
	}
	if !strings.HasPrefix(body, "/?") || !strings.Contains(body, "Action=DescribeAlarms") || !strings.Contains(body, "AlarmNames.member.1=a") {
		t.Errorf("request %q is not a query-protocol DescribeAlarms", body)
	}
	if err := CheckCloudWatchProtocol("cbor2"); err == nil {
		t.Error("an unknown protocol was accepted")
	}
}

// TestQuotaErrorsAreNotRetried: the 101st metric filter fails at once, not after three throttled
// attempts, and is terminal.
func TestQuotaErrorsAreNotRetried(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"LimitExceededException","message":"Resource limit exceeded."}`)
	}))
	defer srv.Close()
	cl := New(testConfig(srv.URL), Options{MaxAttempts: 3, MaxBackoff: time.Millisecond, RetryMode: aws.RetryModeStandard})
	_, err := cl.Logs.PutMetricFilter(context.Background(), &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("lg"), FilterName: aws.String("f"), FilterPattern: aws.String(""),
		MetricTransformations: []ltypes.MetricTransformation{{MetricName: aws.String("m"), MetricNamespace: aws.String("n"), MetricValue: aws.String("1")}}})
	if err == nil || n != 1 {
		t.Errorf("err %v after %d attempts, want one attempt", err, n)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || !IsQuotaCode(ae.ErrorCode()) {
		t.Errorf("a quota error should read as one: %v", err)
	}
}

func TestSNSThrottledIsRetried(t *testing.T) {
	url, attempts := failOnce(t, 429, "Throttled", `<DeleteTopicResponse><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DeleteTopicResponse>`)
	cl := New(testConfig(url), Options{MaxAttempts: 3, MaxBackoff: time.Millisecond, RetryMode: aws.RetryModeStandard})
	if _, err := cl.SNS.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: aws.String("arn:aws:sns:ap-southeast-2:1:t")}); err != nil || attempts() != 2 {
		t.Errorf("err %v after %d attempts, want success on the second", err, attempts())
	}
}

// failOnce serves an awsQuery error (the code, with status) to the first request and okBody to
// every later one. It returns the server's URL and how many requests it has served.
func failOnce(t *testing.T, status int, code, okBody string) (url string, attempts func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		if first {
			w.WriteHeader(status)
			io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>`+code+`</Code><Message>slow down</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		io.WriteString(w, okBody)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}
