package awsemu

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// A metric filter publishes in its log group's region, not the emulator's default one.
func TestMetricFilterPublishesInItsLogGroupsRegion(t *testing.T) {
	_, cfg := logsEnv(t) // default region us-east-1
	ctx := context.Background()
	cfg.Region = "eu-west-1"
	logs := cloudwatchlogs.NewFromConfig(cfg)
	logsCreateGroup(t, logs, "g")
	if _, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("g"), FilterName: aws.String("f"), FilterPattern: aws.String("ERROR"),
		MetricTransformations: []logstypes.MetricTransformation{{MetricNamespace: aws.String("NS"), MetricName: aws.String("Errors"), MetricValue: aws.String("1")}},
	}); err != nil {
		t.Fatal(err)
	}
	logsCreateStream(t, logs, "g", "s")
	logsPutEvents(t, logs, "g", "s", logsTestStart.Add(5*time.Second), "ERROR one", "ERROR two", "fine")

	sum := func(region string) float64 {
		c := cfg
		c.Region = region
		out, err := cloudwatch.NewFromConfig(c).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(logsTestStart), EndTime: aws.Time(logsTestStart.Add(5 * time.Minute)),
			MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String("NS"), MetricName: aws.String("Errors")},
				Period: aws.Int32(60), Stat: aws.String("Sum")}}},
		})
		if err != nil {
			t.Fatalf("GetMetricData in %s: %v", region, err)
		}
		total := 0.0
		for _, r := range out.MetricDataResults {
			for _, v := range r.Values {
				total += v
			}
		}
		return total
	}
	if got := sum("eu-west-1"); got != 2 {
		t.Errorf("eu-west-1 holds %v errors, want 2", got)
	}
	if got := sum("us-east-1"); got != 0 {
		t.Errorf("us-east-1 holds %v errors, want none", got)
	}
}
