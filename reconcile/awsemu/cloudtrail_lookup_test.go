package awsemu

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func TestCloudTrailLookupEvents(t *testing.T) {
	e, cfg := logsEnv(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	e.AddRoleSession("AKIDTASK", "arn:aws:iam::123456789012:role/app", "ecs-task")
	appCfg := cfg.Copy()
	appCfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDTASK", SecretAccessKey: "secret"}, nil
	})
	// The history holds every management event, with no trail at all.
	logsCreateGroup(t, logs, "g1")
	e.Advance(time.Minute)
	logsCreateGroup(t, cloudwatchlogs.NewFromConfig(appCfg), "g2")
	e.Advance(time.Minute)
	for i := 0; i < 3; i++ {
		if _, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cloudwatchlogs.NewFromConfig(inRegion(cfg, "eu-west-1")).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatal(err)
	}
	// Newest first, two per page, this region only.
	var names []string
	p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.Events {
			names = append(names, aws.ToString(ev.EventName))
		}
	}
	if strings.Join(names, ",") != "DescribeLogGroups,DescribeLogGroups,DescribeLogGroups,CreateLogGroup,CreateLogGroup" {
		t.Fatalf("history %v", names)
	}
	out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("ecs-task")}}})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("by username: %v %+v", err, out)
	}
	ev := out.Events[0]
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(ev.EventName) != "CreateLogGroup" || aws.ToString(ev.ReadOnly) != "false" || aws.ToString(ev.AccessKeyId) != "AKIDTASK" ||
		!aws.ToTime(ev.EventTime).Equal(logsTestStart.Add(time.Minute)) || rec["eventName"] != "CreateLogGroup" {
		t.Fatalf("event %+v", ev)
	}
	out, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(logsTestStart.Add(time.Minute)), EndTime: aws.Time(logsTestStart.Add(time.Minute))})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("time window: %v %+v", err, out)
	}
	for code, in := range map[string]*cloudtrail.LookupEventsInput{
		"InvalidMaxResultsException":       {MaxResults: aws.Int32(51)},
		"InvalidTimeRangeException":        {StartTime: aws.Time(logsTestStart.Add(time.Hour)), EndTime: aws.Time(logsTestStart)},
		"InvalidNextTokenException":        {NextToken: aws.String("nope")},
		"InvalidLookupAttributesException": {LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: "Colour", AttributeValue: aws.String("x")}}},
	} {
		_, err := ct.LookupEvents(ctx, in)
		logsWantCode(t, err, code)
	}
}
