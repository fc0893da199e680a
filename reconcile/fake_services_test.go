package reconcile

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
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

// CloudTrail.

type fakeTrails struct{ f *fakeAWS }

func (c fakeTrails) trail(name string) (*fakeTrail, error) {
	t, ok := c.f.trails[name]
	if !ok {
		return nil, apiErr("TrailNotFoundException", "Unknown trail: %s", name)
	}
	return t, nil
}

func (c fakeTrails) DescribeTrails(_ context.Context, _ *cloudtrail.DescribeTrailsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "DescribeTrails"); err != nil {
		return nil, err
	}
	out := &cloudtrail.DescribeTrailsOutput{}
	for _, n := range sortedKeys(f.trails) {
		out.TrailList = append(out.TrailList, f.trails[n].def)
	}
	return out, nil
}

func (c fakeTrails) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "GetTrailStatus"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(t.logging)}, nil
}

func (c fakeTrails) GetEventSelectors(_ context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "GetEventSelectors"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.TrailName))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetEventSelectorsOutput{EventSelectors: t.basic, AdvancedEventSelectors: t.advanced}, nil
}

func (c fakeTrails) CreateTrail(_ context.Context, in *cloudtrail.CreateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "CreateTrail"); err != nil {
		return nil, err
	}
	n := aws.ToString(in.Name)
	if _, ok := f.trails[n]; ok {
		return nil, apiErr("TrailAlreadyExistsException", "Trail %s already exists", n)
	}
	arn := f.env.trailARN(n)
	f.trails[n] = &fakeTrail{
		def: ctypes.Trail{Name: in.Name, TrailARN: aws.String(arn), HomeRegion: aws.String(f.env.Region),
			S3BucketName: in.S3BucketName, S3KeyPrefix: in.S3KeyPrefix, CloudWatchLogsLogGroupArn: in.CloudWatchLogsLogGroupArn,
			CloudWatchLogsRoleArn: in.CloudWatchLogsRoleArn, IsMultiRegionTrail: aws.Bool(aws.ToBool(in.IsMultiRegionTrail)),
			LogFileValidationEnabled: aws.Bool(aws.ToBool(in.EnableLogFileValidation)), KmsKeyId: in.KmsKeyId},
		basic: []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}},
	}
	f.trailTags[arn] = map[string]string{}
	for _, t := range in.TagsList {
		f.trailTags[arn][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &cloudtrail.CreateTrailOutput{TrailARN: aws.String(arn)}, nil
}

func (c fakeTrails) UpdateTrail(_ context.Context, in *cloudtrail.UpdateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "UpdateTrail"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	d := &t.def
	set := func(dst **string, v *string) {
		if v != nil {
			if *v == "" {
				*dst = nil
			} else {
				*dst = v
			}
		}
	}
	set(&d.S3BucketName, in.S3BucketName)
	set(&d.S3KeyPrefix, in.S3KeyPrefix)
	set(&d.CloudWatchLogsLogGroupArn, in.CloudWatchLogsLogGroupArn)
	set(&d.CloudWatchLogsRoleArn, in.CloudWatchLogsRoleArn)
	set(&d.KmsKeyId, in.KmsKeyId)
	if in.IsMultiRegionTrail != nil {
		d.IsMultiRegionTrail = in.IsMultiRegionTrail
	}
	if in.EnableLogFileValidation != nil {
		d.LogFileValidationEnabled = in.EnableLogFileValidation
	}
	return &cloudtrail.UpdateTrailOutput{}, nil
}

func (c fakeTrails) DeleteTrail(_ context.Context, in *cloudtrail.DeleteTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DeleteTrailOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "DeleteTrail"); err != nil {
		return nil, err
	}
	if _, err := c.trail(aws.ToString(in.Name)); err != nil {
		return nil, err
	}
	delete(c.f.trails, aws.ToString(in.Name))
	delete(c.f.trailTags, c.f.env.trailARN(aws.ToString(in.Name)))
	return &cloudtrail.DeleteTrailOutput{}, nil
}

func (c fakeTrails) PutEventSelectors(_ context.Context, in *cloudtrail.PutEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "PutEventSelectors"); err != nil {
		return nil, err
	}
	t, err := c.trail(aws.ToString(in.TrailName))
	if err != nil {
		return nil, err
	}
	if (len(in.EventSelectors) > 0) == (len(in.AdvancedEventSelectors) > 0) {
		return nil, apiErr("InvalidEventSelectorsException", "give EventSelectors or AdvancedEventSelectors")
	}
	t.basic, t.advanced = in.EventSelectors, in.AdvancedEventSelectors
	return &cloudtrail.PutEventSelectorsOutput{}, nil
}

func (c fakeTrails) StartLogging(_ context.Context, in *cloudtrail.StartLoggingInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("cloudtrail", "StartLogging"); err != nil {
		return nil, err
	}
	if strings.HasPrefix(aws.ToString(in.Name), "arn:") {
		return nil, apiErr("InternalFailure", "moto 5.2.1 fails StartLogging given an ARN")
	}
	t, err := c.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	t.logging = true
	return &cloudtrail.StartLoggingOutput{}, nil
}

func (c fakeTrails) AddTags(_ context.Context, in *cloudtrail.AddTagsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.AddTagsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "AddTags"); err != nil {
		return nil, err
	}
	arn := aws.ToString(in.ResourceId)
	if f.trailTags[arn] == nil {
		f.trailTags[arn] = map[string]string{}
	}
	for _, t := range in.TagsList {
		f.trailTags[arn][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &cloudtrail.AddTagsOutput{}, nil
}

func (c fakeTrails) ListTags(_ context.Context, in *cloudtrail.ListTagsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.ListTagsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudtrail", "ListTags"); err != nil {
		return nil, err
	}
	if len(in.ResourceIdList) > 20 {
		return nil, apiErr("InvalidParameterException", "at most 20 ARNs")
	}
	out := &cloudtrail.ListTagsOutput{}
	for _, arn := range in.ResourceIdList {
		rt := ctypes.ResourceTag{ResourceId: aws.String(arn)}
		for k, v := range f.trailTags[arn] {
			rt.TagsList = append(rt.TagsList, ctypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out.ResourceTagList = append(out.ResourceTagList, rt)
	}
	return out, nil
}

// SNS.

type fakeSNS struct{ f *fakeAWS }

func (c fakeSNS) topic(arn string) (*fakeTopic, error) {
	t, ok := c.f.topics[arn]
	if !ok {
		return nil, apiErr("NotFound", "Topic does not exist")
	}
	return t, nil
}

func (c fakeSNS) GetTopicAttributes(_ context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("sns", "GetTopicAttributes"); err != nil {
		return nil, err
	}
	t, err := c.topic(aws.ToString(in.TopicArn))
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{"TopicArn": aws.ToString(in.TopicArn)}
	for k, v := range t.attrs {
		attrs[k] = v
	}
	return &sns.GetTopicAttributesOutput{Attributes: attrs}, nil
}

func (c fakeSNS) CreateTopic(_ context.Context, in *sns.CreateTopicInput, _ ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("sns", "CreateTopic"); err != nil {
		return nil, err
	}
	arn := f.env.topicARN(aws.ToString(in.Name))
	if _, ok := f.topics[arn]; ok {
		if len(in.Tags) > 0 {
			return nil, apiErr("InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags")
		}
		return &sns.CreateTopicOutput{TopicArn: aws.String(arn)}, nil
	}
	f.topics[arn] = &fakeTopic{name: aws.ToString(in.Name), attrs: map[string]string{}}
	for _, t := range in.Tags {
		f.tag(arn, aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return &sns.CreateTopicOutput{TopicArn: aws.String(arn)}, nil
}

func (c fakeSNS) SetTopicAttributes(_ context.Context, in *sns.SetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("sns", "SetTopicAttributes"); err != nil {
		return nil, err
	}
	t, err := c.topic(aws.ToString(in.TopicArn))
	if err != nil {
		return nil, err
	}
	t.attrs[aws.ToString(in.AttributeName)] = aws.ToString(in.AttributeValue)
	return &sns.SetTopicAttributesOutput{}, nil
}

func (c fakeSNS) DeleteTopic(_ context.Context, in *sns.DeleteTopicInput, _ ...func(*sns.Options)) (*sns.DeleteTopicOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("sns", "DeleteTopic"); err != nil {
		return nil, err
	}
	delete(c.f.topics, aws.ToString(in.TopicArn)) // idempotent, as in AWS
	delete(c.f.tags, aws.ToString(in.TopicArn))
	return &sns.DeleteTopicOutput{}, nil
}

func (c fakeSNS) TagResource(_ context.Context, in *sns.TagResourceInput, _ ...func(*sns.Options)) (*sns.TagResourceOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("sns", "TagResource"); err != nil {
		return nil, err
	}
	if _, err := c.topic(aws.ToString(in.ResourceArn)); err != nil {
		return nil, apiErr("ResourceNotFound", "no topic")
	}
	for _, t := range in.Tags {
		c.f.tag(aws.ToString(in.ResourceArn), aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return &sns.TagResourceOutput{}, nil
}

func (c fakeSNS) ListTagsForResource(_ context.Context, in *sns.ListTagsForResourceInput, _ ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("sns", "ListTagsForResource"); err != nil {
		return nil, err
	}
	out := &sns.ListTagsForResourceOutput{}
	for k, v := range c.f.tags[aws.ToString(in.ResourceArn)] {
		out.Tags = append(out.Tags, snstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out, nil
}

func (c fakeSNS) ListSubscriptionsByTopic(_ context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("sns", "ListSubscriptionsByTopic"); err != nil {
		return nil, err
	}
	t, err := c.topic(aws.ToString(in.TopicArn))
	if err != nil {
		return nil, err
	}
	return &sns.ListSubscriptionsByTopicOutput{Subscriptions: append([]snstypes.Subscription(nil), t.subs...)}, nil
}

func (c fakeSNS) Subscribe(_ context.Context, in *sns.SubscribeInput, _ ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("sns", "Subscribe"); err != nil {
		return nil, err
	}
	t, err := c.topic(aws.ToString(in.TopicArn))
	if err != nil {
		return nil, err
	}
	for _, s := range t.subs { // idempotent per (topic, protocol, endpoint)
		if aws.ToString(s.Protocol) == aws.ToString(in.Protocol) && aws.ToString(s.Endpoint) == aws.ToString(in.Endpoint) {
			return &sns.SubscribeOutput{SubscriptionArn: s.SubscriptionArn}, nil
		}
	}
	f.subSeq++
	arn := fmt.Sprintf("%s:sub-%d", aws.ToString(in.TopicArn), f.subSeq)
	if !f.confirmAll && aws.ToString(in.Protocol) == "email" {
		arn = "PendingConfirmation"
	}
	t.subs = append(t.subs, snstypes.Subscription{TopicArn: in.TopicArn, Protocol: in.Protocol, Endpoint: in.Endpoint, SubscriptionArn: aws.String(arn)})
	return &sns.SubscribeOutput{SubscriptionArn: aws.String(arn)}, nil
}

func (c fakeSNS) Unsubscribe(_ context.Context, in *sns.UnsubscribeInput, _ ...func(*sns.Options)) (*sns.UnsubscribeOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if err := c.f.call("sns", "Unsubscribe"); err != nil {
		return nil, err
	}
	for _, t := range c.f.topics {
		for i, s := range t.subs {
			if aws.ToString(s.SubscriptionArn) == aws.ToString(in.SubscriptionArn) {
				t.subs = append(t.subs[:i], t.subs[i+1:]...)
				return &sns.UnsubscribeOutput{}, nil
			}
		}
	}
	return nil, apiErr("NotFound", "no subscription")
}
