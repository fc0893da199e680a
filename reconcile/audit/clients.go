package audit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// The audit reads through these narrow interfaces, with the SDK's own signatures: the SDK
// clients satisfy them, and so can a test's fake. Every operation is a read.

// TrailsAPI is what the audit asks CloudTrail.
type TrailsAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

// MetricFiltersAPI is what the audit asks CloudWatch Logs.
type MetricFiltersAPI interface {
	DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
}

// AlarmsAPI is what the audit asks CloudWatch.
type AlarmsAPI interface {
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// SubscriptionsAPI is what the audit asks SNS.
type SubscriptionsAPI interface {
	ListSubscriptionsByTopic(context.Context, *sns.ListSubscriptionsByTopicInput, ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
}

var (
	_ TrailsAPI        = (*cloudtrail.Client)(nil)
	_ MetricFiltersAPI = (*cloudwatchlogs.Client)(nil)
	_ AlarmsAPI        = (*cloudwatch.Client)(nil)
	_ SubscriptionsAPI = (*sns.Client)(nil)
)

// Clients reach one region.
type Clients struct {
	CloudTrail TrailsAPI
	Logs       MetricFiltersAPI
	CloudWatch AlarmsAPI
	SNS        SubscriptionsAPI
}

// Region is a region to audit and the clients that reach it.
type Region struct {
	Name    string
	Clients Clients
}
