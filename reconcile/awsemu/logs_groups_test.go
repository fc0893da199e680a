package awsemu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
)

var logsTestStart = time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)

// logsEnv starts an emulator in us-east-1 and returns it with an SDK config pointed at it.
func logsEnv(t *testing.T) (*Emulator, aws.Config) {
	t.Helper()
	e := New(Options{Region: "us-east-1", Start: logsTestStart})
	return e, emuConfig(e, "AKIDLOGS")
}

// logsWantCode fails unless err is an API error with the given code.
func logsWantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func logsCreateGroup(t *testing.T, logs *cloudwatchlogs.Client, name string) {
	t.Helper()
	if _, err := logs.CreateLogGroup(context.Background(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatalf("create log group %s: %v", name, err)
	}
}

func TestLogsCreateLogGroupValidation(t *testing.T) {
	_, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	cases := []struct {
		name string
		in   cloudwatchlogs.CreateLogGroupInput
		code string
	}{
		{"ok", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/a-b_c.d#1")}, ""},
		{"space", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("a b")}, "InvalidParameterException"},
		{"empty", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("")}, "InvalidParameterException"},
		{"too long", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(strings.Repeat("a", 513))}, "InvalidParameterException"},
		{"reserved prefix", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("aws/x")}, "InvalidParameterException"},
		{"kms key not an ARN", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("k"), KmsKeyId: aws.String("alias/x")}, "InvalidParameterException"},
		{"kms key ARN", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("k2"),
			KmsKeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/abcd")}, ""},
		{"bad class", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("c"), LogGroupClass: "COLD"}, "InvalidParameterException"},
		{"tag key reserved", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("t"), Tags: map[string]string{"aws:x": "1"}}, "InvalidParameterException"},
		{"tag value pattern", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("t"), Tags: map[string]string{"k": "a*b"}}, "InvalidParameterException"},
		{"duplicate", cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/a-b_c.d#1")}, "ResourceAlreadyExistsException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := logs.CreateLogGroup(ctx, &tc.in)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			logsWantCode(t, err, tc.code)
		})
	}
	_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/a-b_c.d#1")})
	var exists *logstypes.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("want typed ResourceAlreadyExistsException, got %T", err)
	}
}

func TestLogsDescribeLogGroups(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	for _, n := range []string{"b", "a", "B", "/x", "ab", "abc"} {
		logsCreateGroup(t, logs, n)
		e.Advance(time.Second)
	}
	if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("ab"), RetentionInDays: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	// Paginate with limit 2 through everything: ASCII order, opaque tokens.
	var names []string
	var pages int
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(logs, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	if got := strings.Join(names, ","); got != "/x,B,a,ab,abc,b" || pages != 3 {
		t.Fatalf("paginated names %q in %d pages", got, pages)
	}
	out, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("ab")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 2 || out.NextToken != nil {
		t.Fatalf("prefix ab: %+v", out.LogGroups)
	}
	g := out.LogGroups[0]
	wantARN := "arn:aws:logs:us-east-1:123456789012:log-group:ab"
	if aws.ToString(g.Arn) != wantARN+":*" || aws.ToString(g.LogGroupArn) != wantARN ||
		aws.ToInt32(g.RetentionInDays) != 90 || aws.ToInt64(g.CreationTime) != logsTestStart.Add(4*time.Second).UnixMilli() ||
		g.MetricFilterCount == nil || *g.MetricFilterCount != 0 {
		t.Fatalf("log group ab = %+v", g)
	}
	if out.LogGroups[1].RetentionInDays != nil {
		t.Fatalf("abc never expires, but retentionInDays = %d", *out.LogGroups[1].RetentionInDays)
	}
	// A pattern is a case-sensitive substring; only arn, creationTime and logGroupName come back.
	out, err = logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 3 || out.LogGroups[0].LogGroupArn != nil || out.LogGroups[0].MetricFilterCount != nil || out.LogGroups[0].Arn == nil {
		t.Fatalf("pattern b: %+v", out.LogGroups)
	}
	out, err = logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: []string{"a", wantARN, "missing"}})
	if err != nil || len(out.LogGroups) != 2 {
		t.Fatalf("identifiers: %v %+v", err, out)
	}
	for name, in := range map[string]*cloudwatchlogs.DescribeLogGroupsInput{
		"prefix and pattern": {LogGroupNamePrefix: aws.String("a"), LogGroupNamePattern: aws.String("a")},
		"limit 0":            {Limit: aws.Int32(0)},
		"limit 51":           {Limit: aws.Int32(51)},
		"bad token":          {NextToken: aws.String("not-a-token")},
		"bad prefix":         {LogGroupNamePrefix: aws.String("a b")},
	} {
		_, err := logs.DescribeLogGroups(ctx, in)
		var ip *logstypes.InvalidParameterException
		if !errors.As(err, &ip) {
			t.Errorf("%s: want InvalidParameterException, got %v", name, err)
		}
	}
}

func TestLogsRetentionAndDelete(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	for _, days := range []int32{0, 2, 4, 6, 3650, 10000} {
		_, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(days)})
		logsWantCode(t, err, "InvalidParameterException")
	}
	for _, days := range []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653} {
		if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(days)}); err != nil {
			t.Fatalf("retention %d: %v", days, err)
		}
	}
	_, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("nope"), RetentionInDays: aws.Int32(1)})
	var rnf *logstypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("retention on a missing group: %v", err)
	}
	if _, err := logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	out, _ := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if out.LogGroups[0].RetentionInDays != nil {
		t.Fatal("retention still set after DeleteRetentionPolicy")
	}
	_, err = logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String("nope")})
	logsWantCode(t, err, "ResourceNotFoundException")

	// Deleting a group drops its tags, filters and streams: a new group of the same name is bare.
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	if _, err := logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	logsPutFilter(t, logs, "g", "f", "ERROR", nil)
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	tagged := e.w.Tags.Has(arn)
	e.mu.Unlock()
	if tagged {
		t.Fatal("tags survived DeleteLogGroup")
	}
	_, err = logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("g")})
	logsWantCode(t, err, "ResourceNotFoundException")
	logsCreateGroup(t, logs, "g")
	mf, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("g")})
	if err != nil || len(mf.MetricFilters) != 0 {
		t.Fatalf("filters after re-create: %v %+v", err, mf)
	}
	ls, err := logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	if err != nil || len(ls.LogStreams) != 0 {
		t.Fatalf("streams after re-create: %v %+v", err, ls)
	}
	tags, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 0 {
		t.Fatalf("tags after re-create: %v %+v", err, tags)
	}
}

func TestLogsTags(t *testing.T) {
	_, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"a": "1"}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	if _, err := logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "2", "b": "x y"}}); err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the deprecated name-based variant is part of the emulated API
	if _, err := logs.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"c": "3"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"b", "absent"}}); err != nil {
		t.Fatal(err)
	}
	got, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || fmt.Sprint(got.Tags) != "map[a:2 c:3]" {
		t.Fatalf("ListTagsForResource: %v %v", err, got)
	}
	//lint:ignore SA1019 the deprecated name-based variant is part of the emulated API
	if _, err := logs.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: aws.String("g"), Tags: []string{"c"}}); err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the deprecated name-based variant is part of the emulated API
	old, err := logs.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String("g")})
	if err != nil || fmt.Sprint(old.Tags) != "map[a:2]" {
		t.Fatalf("ListTagsLogGroup: %v %v", err, old)
	}
	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	var tooMany *logstypes.TooManyTagsException
	if !errors.As(err, &tooMany) {
		t.Fatalf("51 tags: want TooManyTagsException, got %v", err)
	}
	for name, in := range map[string]struct {
		arn, code string
	}{
		"arn with :*":   {arn + ":*", "InvalidParameterException"},
		"missing group": {arn + "x", "ResourceNotFoundException"},
		"not logs":      {"arn:aws:sns:us-east-1:123456789012:t", "InvalidParameterException"},
		"other account": {"arn:aws:logs:us-east-1:999999999999:log-group:g", "ResourceNotFoundException"},
	} {
		_, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(in.arn)})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		logsWantCode(t, err, in.code)
	}
	//lint:ignore SA1019 the deprecated name-based variant is part of the emulated API
	_, err = logs.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String("nope")})
	logsWantCode(t, err, "ResourceNotFoundException")
}
