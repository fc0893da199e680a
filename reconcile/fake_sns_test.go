package reconcile

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

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
