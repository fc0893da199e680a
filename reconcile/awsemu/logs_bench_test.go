package awsemu

import (
	"fmt"
	"testing"
	"time"

	emulogs "github.com/kmswatch/kmswatch/reconcile/awsemu/internal/logs"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// BenchmarkLogsIngestWith100Filters measures the pipeline's hot path: CloudTrail-shaped events
// delivered to a log group that carries the quota of 100 JSON metric filters (every event
// matched against every filter, datapoints recorded by CloudWatch).
func BenchmarkLogsIngestWith100Filters(b *testing.B) {
	e := New(Options{Region: "us-east-1", Start: logsTestStart})
	logs := cloudwatchlogs.NewFromConfig(emuConfig(e, "AKIDBENCH"))
	ctx := b.Context()
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < emulogs.MaxMetricFilters; i++ {
		_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String(fmt.Sprint("f", i)),
			FilterPattern: aws.String(fmt.Sprintf(`{ ($.eventSource = kms.amazonaws.com) && ($.eventName = Op%d) && ($.errorCode = "*") }`, i%10)),
			MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String(fmt.Sprint("M", i)), MetricNamespace: aws.String("NS"),
				MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	const batch = 100
	events := make([]core.LogEvent, batch)
	for i := range events {
		events[i] = core.LogEvent{Time: logsTestStart, Message: fmt.Sprintf(`{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole",`+
			`"arn":"arn:aws:sts::123456789012:assumed-role/app/task","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::123456789012:role/app"}}},`+
			`"eventTime":"2026-03-04T05:06:00Z","eventSource":"kms.amazonaws.com","eventName":"Op%d","awsRegion":"us-east-1",`+
			`"errorCode":"InvalidCiphertextException","readOnly":true,"managementEvent":true,"eventCategory":"Management"}`, i%20)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		e.mu.Lock()
		if err := e.w.Bus.PutLogEvents("g", "s", events); err != nil {
			b.Fatal(err)
		}
		e.mu.Unlock()
		if n%100 == 99 {
			e.Advance(time.Minute)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
