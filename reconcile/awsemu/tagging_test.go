package awsemu

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	emutagging "github.com/kmswatch/kmswatch/reconcile/awsemu/internal/tagging"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

func TestTaggingGetResources(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	sc := sns.NewFromConfig(cfg)
	tc := tagging.NewFromConfig(cfg)
	mine := []snstypes.Tag{{Key: aws.String("kmswatch.dev/monitor"), Value: aws.String("m1")}, {Key: aws.String("kmswatch.dev/managed-by"), Value: aws.String("kmswatch")}}
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("owned"), Tags: mine})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("untagged")}); err != nil {
		t.Fatal(err)
	}
	// The other services live in sibling files; their ARNs are seeded the way they tag.
	acct := "123456789012"
	e.mu.Lock()
	e.w.Tags.Set("arn:aws:cloudwatch:us-east-1:"+acct+":alarm:a1", map[string]string{"kmswatch.dev/monitor": "m1"})
	e.w.Tags.Set("arn:aws:logs:us-east-1:"+acct+":log-group:g1", map[string]string{"kmswatch.dev/monitor": "m2"})
	e.w.Tags.Set("arn:aws:cloudtrail:us-east-1:"+acct+":trail/t1", map[string]string{"kmswatch.dev/monitor": "m1", "env": "prod"})
	e.w.Tags.Set("arn:aws:cloudwatch:eu-west-1:"+acct+":alarm:far", map[string]string{"kmswatch.dev/monitor": "m1"})
	e.mu.Unlock()

	arns := func(out *tagging.GetResourcesOutput) string {
		var s []string
		for _, m := range out.ResourceTagMappingList {
			s = append(s, aws.ToString(m.ResourceARN))
		}
		sort.Strings(s)
		return fmt.Sprint(s)
	}
	cases := []struct {
		name  string
		in    tagging.GetResourcesInput
		want  string
		error string
	}{
		{name: "no filter lists tagged resources of the region",
			want: "[arn:aws:cloudtrail:us-east-1:123456789012:trail/t1 arn:aws:cloudwatch:us-east-1:123456789012:alarm:a1 arn:aws:logs:us-east-1:123456789012:log-group:g1 " + aws.ToString(topic.TopicArn) + "]"},
		{name: "key and value", in: tagging.GetResourcesInput{TagFilters: []taggingtypes.TagFilter{{Key: aws.String("kmswatch.dev/monitor"), Values: []string{"m1"}}}},
			want: "[arn:aws:cloudtrail:us-east-1:123456789012:trail/t1 arn:aws:cloudwatch:us-east-1:123456789012:alarm:a1 " + aws.ToString(topic.TopicArn) + "]"},
		{name: "values are OR'ed", in: tagging.GetResourcesInput{TagFilters: []taggingtypes.TagFilter{{Key: aws.String("kmswatch.dev/monitor"), Values: []string{"m2", "m9"}}}},
			want: "[arn:aws:logs:us-east-1:123456789012:log-group:g1]"},
		{name: "keys are AND'ed", in: tagging.GetResourcesInput{TagFilters: []taggingtypes.TagFilter{{Key: aws.String("kmswatch.dev/monitor"), Values: []string{"m1"}}, {Key: aws.String("env")}}},
			want: "[arn:aws:cloudtrail:us-east-1:123456789012:trail/t1]"},
		{name: "type cloudwatch:alarm", in: tagging.GetResourcesInput{ResourceTypeFilters: []string{"cloudwatch:alarm"}},
			want: "[arn:aws:cloudwatch:us-east-1:123456789012:alarm:a1]"},
		{name: "types sns and logs:log-group", in: tagging.GetResourcesInput{ResourceTypeFilters: []string{"sns", "logs:log-group"}},
			want: "[arn:aws:logs:us-east-1:123456789012:log-group:g1 " + aws.ToString(topic.TopicArn) + "]"},
		{name: "type sns:topic and cloudtrail:trail", in: tagging.GetResourcesInput{ResourceTypeFilters: []string{"sns:topic", "cloudtrail:trail"}},
			want: "[arn:aws:cloudtrail:us-east-1:123456789012:trail/t1 " + aws.ToString(topic.TopicArn) + "]"},
		{name: "ARN list", in: tagging.GetResourcesInput{ResourceARNList: []string{"arn:aws:logs:us-east-1:123456789012:log-group:g1", "arn:aws:sns:us-east-1:123456789012:nope"}},
			want: "[arn:aws:logs:us-east-1:123456789012:log-group:g1]"},
		{name: "page size over 100", in: tagging.GetResourcesInput{ResourcesPerPage: aws.Int32(101)}, error: "InvalidParameterException"},
		{name: "ARN list with filters", in: tagging.GetResourcesInput{ResourceARNList: []string{"arn:aws:sns:us-east-1:1:x"}, ResourceTypeFilters: []string{"sns"}}, error: "InvalidParameterException"},
		{name: "bad token", in: tagging.GetResourcesInput{PaginationToken: aws.String("zzz")}, error: "PaginationTokenExpiredException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := tc.GetResources(ctx, &c.in)
			if c.error != "" {
				wantAPIError(t, err, c.error, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := arns(out); got != c.want {
				t.Fatalf("got %s\nwant %s", got, c.want)
			}
		})
	}
	out, err := tc.GetResources(ctx, &tagging.GetResourcesInput{ResourceTypeFilters: []string{"sns:topic"}})
	if err != nil || len(out.ResourceTagMappingList) != 1 || len(out.ResourceTagMappingList[0].Tags) != 2 ||
		aws.ToString(out.ResourceTagMappingList[0].Tags[0].Key) != "kmswatch.dev/managed-by" {
		t.Fatalf("topic tags: %+v %v", out, err)
	}
	keys, err := tc.GetTagKeys(ctx, &tagging.GetTagKeysInput{})
	if err != nil || fmt.Sprint(keys.TagKeys) != "[env kmswatch.dev/managed-by kmswatch.dev/monitor]" {
		t.Fatalf("GetTagKeys: %v %v", keys, err)
	}
	vals, err := tc.GetTagValues(ctx, &tagging.GetTagValuesInput{Key: aws.String("kmswatch.dev/monitor")})
	if err != nil || fmt.Sprint(vals.TagValues) != "[m1 m2]" {
		t.Fatalf("GetTagValues: %v %v", vals, err)
	}
	// A deleted topic's tags go with it.
	if _, err := sc.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic.TopicArn}); err != nil {
		t.Fatal(err)
	}
	out, err = tc.GetResources(ctx, &tagging.GetResourcesInput{ResourceTypeFilters: []string{"sns"}})
	if err != nil || len(out.ResourceTagMappingList) != 0 {
		t.Fatalf("after DeleteTopic: %+v %v", out, err)
	}
}

func TestTaggingPagination(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	e.mu.Lock()
	for i := 0; i < 230; i++ {
		e.w.Tags.Set(fmt.Sprintf("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a%03d", i), map[string]string{"k": "v"})
	}
	e.mu.Unlock()
	tc := tagging.NewFromConfig(cfg)
	for _, tcase := range []struct {
		perPage *int32
		want    string
	}{{nil, "[50 50 50 50 30]"}, {aws.Int32(100), "[100 100 30]"}} {
		var sizes []int
		seen := map[string]bool{}
		p := tagging.NewGetResourcesPaginator(tc, &tagging.GetResourcesInput{ResourcesPerPage: tcase.perPage})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(page.ResourceTagMappingList))
			for _, m := range page.ResourceTagMappingList {
				seen[aws.ToString(m.ResourceARN)] = true
			}
		}
		if fmt.Sprint(sizes) != tcase.want || len(seen) != 230 {
			t.Errorf("per page %v: pages %v, %d distinct", tcase.perPage, sizes, len(seen))
		}
	}
	var ipe *taggingtypes.InvalidParameterException
	_, err := tc.GetTagValues(ctx, &tagging.GetTagValuesInput{Key: aws.String("")})
	if !errors.As(err, &ipe) {
		t.Fatalf("empty key: %v", err)
	}
}

// TestTaggingAcrossServices tags one resource of each kind through its own service's API and
// finds them all, and only them, with one GetResources call.
func TestTaggingAcrossServices(t *testing.T) {
	e, cfg := svcTestEnv(t)
	ctx := context.Background()
	e.SeedBucket("b")
	owner := map[string]string{"kmswatch.dev/monitor": "lab"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	logs := cloudwatchlogs.NewFromConfig(cfg)
	for _, g := range []string{"owned-group", "plain-group"} {
		in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}
		if g == "owned-group" {
			in.Tags = owner
		}
		_, err := logs.CreateLogGroup(ctx, in)
		must(err)
	}
	cw := cloudwatch.NewFromConfig(cfg)
	for _, a := range []string{"owned-alarm", "plain-alarm"} {
		in := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(a), Namespace: aws.String("N"), MetricName: aws.String("M"),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold}
		if a == "owned-alarm" {
			in.Tags = []cwtypes.Tag{{Key: aws.String("kmswatch.dev/monitor"), Value: aws.String("lab")}}
		}
		_, err := cw.PutMetricAlarm(ctx, in)
		must(err)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	for _, tr := range []string{"owned-trail", "plain-trail"} {
		in := &cloudtrail.CreateTrailInput{Name: aws.String(tr), S3BucketName: aws.String("b")}
		if tr == "owned-trail" {
			in.TagsList = []cttypes.Tag{{Key: aws.String("kmswatch.dev/monitor"), Value: aws.String("lab")}}
		}
		_, err := ct.CreateTrail(ctx, in)
		must(err)
	}
	s := sns.NewFromConfig(cfg)
	_, err := s.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("owned-topic"), Tags: []snstypes.Tag{{Key: aws.String("kmswatch.dev/monitor"), Value: aws.String("lab")}}})
	must(err)
	_, err = s.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("plain-topic")})
	must(err)
	k := kms.NewFromConfig(cfg)
	_, err = k.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("kmswatch.dev/monitor"), TagValue: aws.String("lab")}}})
	must(err)
	_, err = k.CreateKey(ctx, &kms.CreateKeyInput{})
	must(err)

	tc := tagging.NewFromConfig(cfg)
	list := func(in *tagging.GetResourcesInput) []string {
		t.Helper()
		out, err := tc.GetResources(ctx, in)
		must(err)
		var types []string
		for _, m := range out.ResourceTagMappingList {
			svc, typ := emutagging.ResourceType(aws.ToString(m.ResourceARN))
			types = append(types, svc+":"+typ)
		}
		sort.Strings(types)
		return types
	}
	all := "[cloudtrail:trail cloudwatch:alarm kms:key logs:log-group sns:topic]"
	if got := fmt.Sprint(list(&tagging.GetResourcesInput{})); got != all {
		t.Errorf("no filter: %s, want only the tagged %s", got, all)
	}
	if got := fmt.Sprint(list(&tagging.GetResourcesInput{TagFilters: []taggingtypes.TagFilter{{Key: aws.String("kmswatch.dev/monitor"), Values: []string{"lab"}}}})); got != all {
		t.Errorf("by tag: %s", got)
	}
	for _, typ := range []string{"cloudtrail:trail", "cloudwatch:alarm", "kms:key", "logs:log-group", "sns:topic"} {
		if got := fmt.Sprint(list(&tagging.GetResourcesInput{ResourceTypeFilters: []string{typ}})); got != "["+typ+"]" {
			t.Errorf("type %s: %s", typ, got)
		}
	}
	// Deleting the alarm and the log group drops them from the listing.
	_, err = cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"owned-alarm"}})
	must(err)
	_, err = logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("owned-group")})
	must(err)
	if got := fmt.Sprint(list(&tagging.GetResourcesInput{})); got != "[cloudtrail:trail kms:key sns:topic]" {
		t.Errorf("after deletes: %s", got)
	}
}
