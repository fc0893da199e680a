package reconcile

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

type fakeLogGroup struct{ retention *int32 }

type fakeFilter struct {
	pattern string
	t       ltypes.MetricTransformation
}

type fakeTrail struct {
	def      ctypes.Trail
	logging  bool
	basic    []ctypes.EventSelector
	advanced []ctypes.AdvancedEventSelector
}

type fakeTopic struct {
	name  string
	attrs map[string]string
	subs  []snstypes.Subscription
}

// CloudWatch Logs.

type fakeLogs struct{ f *fakeAWS }

func (c fakeLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "DescribeLogGroups"); err != nil {
		return nil, err
	}
	if len(in.LogGroupIdentifiers) > 0 && in.LogGroupNamePrefix != nil {
		return nil, apiErr("InvalidParameterException", "logGroupIdentifiers cannot be combined with logGroupNamePrefix")
	}
	if len(in.LogGroupIdentifiers) > 50 {
		return nil, apiErr("InvalidParameterException", "logGroupIdentifiers: at most 50")
	}
	var names []string
	for n := range f.logGroups {
		if strings.HasPrefix(n, aws.ToString(in.LogGroupNamePrefix)) &&
			(len(in.LogGroupIdentifiers) == 0 || contains(in.LogGroupIdentifiers, n) || contains(in.LogGroupIdentifiers, f.env.logGroupARN(n))) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	limit := int(aws.ToInt32(in.Limit))
	if limit == 0 {
		limit = 50
	}
	keys, next := page(names, in.NextToken, limit)
	out := &cloudwatchlogs.DescribeLogGroupsOutput{NextToken: next}
	for _, n := range keys {
		arn := f.env.logGroupARN(n)
		out.LogGroups = append(out.LogGroups, ltypes.LogGroup{LogGroupName: aws.String(n), Arn: aws.String(arn + ":*"),
			LogGroupArn: aws.String(arn), RetentionInDays: f.logGroups[n].retention})
	}
	return out, nil
}

func (c fakeLogs) CreateLogGroup(_ context.Context, in *cloudwatchlogs.CreateLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "CreateLogGroup"); err != nil {
		return nil, err
	}
	n := aws.ToString(in.LogGroupName)
	if _, ok := f.logGroups[n]; ok {
		return nil, apiErr("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	f.logGroups[n] = &fakeLogGroup{}
	for k, v := range in.Tags {
		f.tag(f.env.logGroupARN(n), k, v)
	}
	return &cloudwatchlogs.CreateLogGroupOutput{}, nil
}

func (c fakeLogs) DeleteLogGroup(_ context.Context, in *cloudwatchlogs.DeleteLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "DeleteLogGroup"); err != nil {
		return nil, err
	}
	n := aws.ToString(in.LogGroupName)
	if _, ok := f.logGroups[n]; !ok {
		return nil, apiErr("ResourceNotFoundException", "The specified log group does not exist")
	}
	delete(f.logGroups, n)
	delete(f.filters, n)
	delete(f.tags, f.env.logGroupARN(n))
	return &cloudwatchlogs.DeleteLogGroupOutput{}, nil
}

func (c fakeLogs) PutRetentionPolicy(_ context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "PutRetentionPolicy"); err != nil {
		return nil, err
	}
	g, ok := f.logGroups[aws.ToString(in.LogGroupName)]
	if !ok {
		return nil, apiErr("ResourceNotFoundException", "The specified log group does not exist")
	}
	g.retention = aws.Int32(aws.ToInt32(in.RetentionInDays))
	return &cloudwatchlogs.PutRetentionPolicyOutput{}, nil
}

func (c fakeLogs) DeleteRetentionPolicy(_ context.Context, in *cloudwatchlogs.DeleteRetentionPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "DeleteRetentionPolicy"); err != nil {
		return nil, err
	}
	g, ok := f.logGroups[aws.ToString(in.LogGroupName)]
	if !ok {
		return nil, apiErr("ResourceNotFoundException", "The specified log group does not exist")
	}
	g.retention = nil
	return &cloudwatchlogs.DeleteRetentionPolicyOutput{}, nil
}

func (c fakeLogs) TagResource(_ context.Context, in *cloudwatchlogs.TagResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "TagResource"); err != nil {
		return nil, err
	}
	for k, v := range in.Tags {
		f.tag(aws.ToString(in.ResourceArn), k, v)
	}
	return &cloudwatchlogs.TagResourceOutput{}, nil
}

func (c fakeLogs) ListTagsForResource(_ context.Context, in *cloudwatchlogs.ListTagsForResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "ListTagsForResource"); err != nil {
		return nil, err
	}
	out := &cloudwatchlogs.ListTagsForResourceOutput{Tags: map[string]string{}}
	for k, v := range f.tags[aws.ToString(in.ResourceArn)] {
		out.Tags[k] = v
	}
	return out, nil
}

func (c fakeLogs) DescribeMetricFilters(_ context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "DescribeMetricFilters"); err != nil {
		return nil, err
	}
	lg := aws.ToString(in.LogGroupName)
	if _, ok := f.logGroups[lg]; !ok {
		return nil, apiErr("ResourceNotFoundException", "The specified log group does not exist")
	}
	if aws.ToInt32(in.Limit) > 50 {
		return nil, apiErr("InvalidParameterException", "limit: at most 50")
	}
	keys, next := page(sortedKeys(f.filters[lg]), in.NextToken, int(max(aws.ToInt32(in.Limit), 1)))
	out := &cloudwatchlogs.DescribeMetricFiltersOutput{NextToken: next}
	for _, n := range keys {
		mf := f.filters[lg][n]
		out.MetricFilters = append(out.MetricFilters, ltypes.MetricFilter{LogGroupName: aws.String(lg), FilterName: aws.String(n),
			FilterPattern: aws.String(mf.pattern), MetricTransformations: []ltypes.MetricTransformation{mf.t}})
	}
	return out, nil
}

func (c fakeLogs) PutMetricFilter(_ context.Context, in *cloudwatchlogs.PutMetricFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "PutMetricFilter"); err != nil {
		return nil, err
	}
	lg := aws.ToString(in.LogGroupName)
	if _, ok := f.logGroups[lg]; !ok {
		return nil, apiErr("ResourceNotFoundException", "The specified log group does not exist")
	}
	if f.filters[lg] == nil {
		f.filters[lg] = map[string]fakeFilter{}
	}
	f.filters[lg][aws.ToString(in.FilterName)] = fakeFilter{pattern: aws.ToString(in.FilterPattern), t: in.MetricTransformations[0]}
	return &cloudwatchlogs.PutMetricFilterOutput{}, nil
}

func (c fakeLogs) DeleteMetricFilter(_ context.Context, in *cloudwatchlogs.DeleteMetricFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteMetricFilterOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("logs", "DeleteMetricFilter"); err != nil {
		return nil, err
	}
	lg, n := aws.ToString(in.LogGroupName), aws.ToString(in.FilterName)
	if _, ok := f.filters[lg][n]; !ok {
		return nil, apiErr("ResourceNotFoundException", "The specified metric filter does not exist")
	}
	delete(f.filters[lg], n)
	return &cloudwatchlogs.DeleteMetricFilterOutput{}, nil
}
