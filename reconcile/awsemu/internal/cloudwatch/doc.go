// Package cloudwatch is the emulated CloudWatch (service id "cloudwatch"), served over all three
// of its protocols: Smithy RPC v2 CBOR (the Go SDK's default), awsJson 1.0 and awsQuery. It
// keeps alarms, metrics and alarm history per region, records the datapoints metric filters
// emit (the bus's PutDatum), evaluates alarms at every period boundary on the emulated clock,
// and publishes state changes to SNS through the bus. The handlers are split by concern:
//
//	service.go   state per region, registration, the Endpoint, alarm ARNs
//	alarms.go    PutMetricAlarm, DeleteAlarms, Enable/DisableAlarmActions
//	describe.go  DescribeAlarms: filters, name order, page tokens
//	validate.go  PutMetricAlarm's validation, as AWS words it
//	tags.go      TagResource, UntagResource, ListTagsForResource
//	state.go     SetAlarmState, DescribeAlarmHistory, state changes and their actions
//	notify.go    the SNS notification JSON an alarm publishes
//	metrics.go   the metric store, PutMetricData, ListMetrics
//	query.go     GetMetricData, GetMetricStatistics
//	stats.go     the statistics: SampleCount … Maximum, percentiles, trimmed means
//	eval.go      alarm evaluation at every period boundary
package cloudwatch
