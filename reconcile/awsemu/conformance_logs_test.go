package awsemu

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func (env *confEnv) logs() *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(env.cfg) }

func (env *confEnv) logGroup(name string) {
	env.Helper()
	_, err := env.logs().CreateLogGroup(env.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	env.must(err)
}

func confFilterInput(group, name, pattern string) *cloudwatchlogs.PutMetricFilterInput {
	return &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name), FilterPattern: aws.String(pattern),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String("KMSSecurityError"),
			MetricNamespace: aws.String("Conformance/KMS"), MetricValue: aws.String("1")}}}
}

func (env *confEnv) filters(group string) []logstypes.MetricFilter {
	env.Helper()
	out, err := env.logs().DescribeMetricFilters(env.ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group)})
	env.must(err)
	return out.MetricFilters
}

const confKMSPattern = `{ ($.eventSource = kms.amazonaws.com) && ($.errorCode = "*") }`

func logsScenarios() []scenario {
	return []scenario{
		{name: "logs/create-and-describe-group", run: func(env *confEnv) {
			env.logGroup("conf/group")
			_, err := env.logs().CreateLogGroup(env.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("conf/group")})
			env.code(err, "ResourceAlreadyExistsException")
			out, err := env.logs().DescribeLogGroups(env.ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("conf/")})
			env.must(err)
			env.eq("groups", len(out.LogGroups), 1)
			g := out.LogGroups[0]
			env.eq("arn", aws.ToString(g.Arn), "arn:aws:logs:us-east-1:"+confAccount+":log-group:conf/group:*")
			env.eq("logGroupArn", aws.ToString(g.LogGroupArn), "arn:aws:logs:us-east-1:"+confAccount+":log-group:conf/group")
			env.truth("no retention until one is set", g.RetentionInDays == nil)
		}},
		{name: "logs/describe-groups-pages", run: func(env *confEnv) {
			for i := 0; i < 5; i++ {
				env.logGroup(fmt.Sprintf("conf-page-%d", i))
			}
			var names []string
			var sizes []int
			p := cloudwatchlogs.NewDescribeLogGroupsPaginator(env.logs(), &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)})
			for p.HasMorePages() {
				page, err := p.NextPage(env.ctx)
				env.must(err)
				sizes = append(sizes, len(page.LogGroups))
				for _, g := range page.LogGroups {
					names = append(names, aws.ToString(g.LogGroupName))
				}
			}
			env.eq("page sizes", sizes, []int{2, 2, 1})
			env.eq("order", names, []string{"conf-page-0", "conf-page-1", "conf-page-2", "conf-page-3", "conf-page-4"})
		}},
		{name: "logs/describe-groups-by-pattern",
			motoGap: "moto ignores logGroupNamePattern and returns every group; asserted instead: both groups",
			run: func(env *confEnv) {
				env.logGroup("conf-app-kms")
				env.logGroup("conf-other")
				out, err := env.logs().DescribeLogGroups(env.ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("kms")})
				env.must(err)
				want := 1
				if env.onMoto() {
					want = 2
				}
				env.eq("groups", len(out.LogGroups), want)
			}},
		{name: "logs/tag-missing-group",
			motoGap: "moto tags an ARN without checking that the log group exists; asserted instead: success",
			run: func(env *confEnv) {
				_, err := env.logs().TagResource(env.ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:" + confAccount + ":log-group:conf-nogroup"),
					Tags: map[string]string{"k": "v"}})
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "ResourceNotFoundException")
			}},
		{name: "logs/retention-policy",
			motoGap: "moto accepts any retentionInDays (AWS allows only 1, 3, 5, 7, 14, 30, …); asserted instead: 2 is accepted",
			run: func(env *confEnv) {
				env.logGroup("conf-retention")
				c := env.logs()
				_, err := c.PutRetentionPolicy(env.ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("conf-retention"), RetentionInDays: aws.Int32(90)})
				env.must(err)
				out, err := c.DescribeLogGroups(env.ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("conf-retention")})
				env.must(err)
				env.eq("retentionInDays", aws.ToInt32(out.LogGroups[0].RetentionInDays), 90)
				_, err = c.PutRetentionPolicy(env.ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("conf-retention"), RetentionInDays: aws.Int32(2)})
				if env.onMoto() {
					env.must(err)
				} else {
					env.code(err, "InvalidParameterException")
				}
			}},
		{name: "logs/tags-by-arn", run: func(env *confEnv) {
			env.logGroup("conf-tags")
			arn := aws.String("arn:aws:logs:us-east-1:" + confAccount + ":log-group:conf-tags")
			c := env.logs()
			_, err := c.TagResource(env.ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"a": "1", "b": "2"}})
			env.must(err)
			_, err = c.UntagResource(env.ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}})
			env.must(err)
			out, err := c.ListTagsForResource(env.ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: arn})
			env.must(err)
			env.eq("tags", out.Tags, map[string]string{"b": "2"})
		}},
		{name: "logs/put-metric-filter-upserts",
			motoGap: "moto appends a second filter of the same name instead of replacing it; asserted instead: two filters, the first pattern kept",
			run: func(env *confEnv) {
				env.logGroup("conf-filters")
				c := env.logs()
				_, err := c.PutMetricFilter(env.ctx, confFilterInput("conf-filters", "kms-errors", `{ $.errorCode = "*" }`))
				env.must(err)
				_, err = c.PutMetricFilter(env.ctx, confFilterInput("conf-filters", "kms-errors", confKMSPattern))
				env.must(err)
				fs := env.filters("conf-filters")
				if env.onMoto() {
					env.eq("filters", len(fs), 2)
					env.eq("first pattern", aws.ToString(fs[0].FilterPattern), `{ $.errorCode = "*" }`)
					return
				}
				env.eq("filters", len(fs), 1)
				env.eq("pattern", aws.ToString(fs[0].FilterPattern), confKMSPattern)
				env.eq("metricValue", aws.ToString(fs[0].MetricTransformations[0].MetricValue), "1")
			}},
		{name: "logs/metric-filter-needs-group",
			motoGap: "moto creates a metric filter on a log group that does not exist; asserted instead: the put succeeds",
			run: func(env *confEnv) {
				_, err := env.logs().PutMetricFilter(env.ctx, confFilterInput("conf-no-group", "f", confKMSPattern))
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "ResourceNotFoundException")
			}},
		{name: "logs/delete-metric-filter",
			motoGap: "moto answers DeleteMetricFilter of a missing filter with success; asserted instead: no error the second time",
			run: func(env *confEnv) {
				env.logGroup("conf-delfilter")
				c := env.logs()
				_, err := c.PutMetricFilter(env.ctx, confFilterInput("conf-delfilter", "f", confKMSPattern))
				env.must(err)
				in := &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("conf-delfilter"), FilterName: aws.String("f")}
				_, err = c.DeleteMetricFilter(env.ctx, in)
				env.must(err)
				env.eq("filters", len(env.filters("conf-delfilter")), 0)
				_, err = c.DeleteMetricFilter(env.ctx, in)
				if env.onMoto() {
					env.must(err)
				} else {
					env.code(err, "ResourceNotFoundException")
				}
			}},
		{name: "logs/test-metric-filter",
			motoGap: "moto does not implement TestMetricFilter (HTTP 500); asserted instead: the call fails",
			run: func(env *confEnv) {
				out, err := env.logs().TestMetricFilter(env.ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(confKMSPattern),
					LogEventMessages: []string{`{"eventSource":"kms.amazonaws.com","errorCode":"IncorrectKeyException"}`, `{"eventSource":"kms.amazonaws.com"}`}})
				if env.onMoto() {
					env.truth("TestMetricFilter fails on moto", err != nil)
					return
				}
				env.must(err)
				env.eq("matches", len(out.Matches), 1)
				env.eq("eventNumber", out.Matches[0].EventNumber, 1)
			}},
		{name: "logs/delete-group-drops-filters",
			motoGap: "moto keeps a deleted log group's metric filters; asserted instead: DescribeMetricFilters by metric name still lists it",
			run: func(env *confEnv) {
				env.logGroup("conf-gone")
				c := env.logs()
				_, err := c.PutMetricFilter(env.ctx, confFilterInput("conf-gone", "conf-gone-filter", confKMSPattern))
				env.must(err)
				_, err = c.DeleteLogGroup(env.ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("conf-gone")})
				env.must(err)
				out, err := c.DescribeMetricFilters(env.ctx, &cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("KMSSecurityError"), MetricNamespace: aws.String("Conformance/KMS")})
				env.must(err)
				want := 0
				if env.onMoto() {
					want = 1
				}
				env.eq("filters left", len(out.MetricFilters), want)
			}},
		{name: "logs/metric-filter-emits-datapoints",
			motoGap: "moto never applies metric filters to ingested events (no pipeline); asserted instead: no datapoint",
			run: func(env *confEnv) {
				env.logGroup("conf-pipeline")
				c := env.logs()
				_, err := c.PutMetricFilter(env.ctx, confFilterInput("conf-pipeline", "kms-errors", confKMSPattern))
				env.must(err)
				_, err = c.CreateLogStream(env.ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("conf-pipeline"), LogStreamName: aws.String("s")})
				env.must(err)
				at := env.now().Truncate(time.Minute)
				_, err = c.PutLogEvents(env.ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("conf-pipeline"), LogStreamName: aws.String("s"),
					LogEvents: []logstypes.InputLogEvent{
						{Message: aws.String(`{"eventSource":"kms.amazonaws.com","errorCode":"IncorrectKeyException"}`), Timestamp: aws.Int64(at.UnixMilli())},
						{Message: aws.String(`{"eventSource":"kms.amazonaws.com","errorCode":"AccessDenied"}`), Timestamp: aws.Int64(at.UnixMilli() + 1000)},
						{Message: aws.String(`{"eventSource":"kms.amazonaws.com"}`), Timestamp: aws.Int64(at.UnixMilli() + 2000)}}})
				env.must(err)
				env.advance(2 * time.Minute)
				out, err := env.cw().GetMetricStatistics(env.ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("Conformance/KMS"),
					MetricName: aws.String("KMSSecurityError"), StartTime: aws.Time(at.Add(-5 * time.Minute)), EndTime: aws.Time(at.Add(5 * time.Minute)),
					Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
				env.must(err)
				if env.onMoto() {
					env.eq("datapoints", len(out.Datapoints), 0)
					return
				}
				env.eq("datapoints", len(out.Datapoints), 1)
				env.eq("Sum", aws.ToFloat64(out.Datapoints[0].Sum), 2)
			}},
		{name: "logs/put-and-get-events", run: func(env *confEnv) {
			env.logGroup("conf-events")
			c := env.logs()
			_, err := c.CreateLogStream(env.ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("conf-events"), LogStreamName: aws.String("s")})
			env.must(err)
			now := env.now().UnixMilli()
			_, err = c.PutLogEvents(env.ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("conf-events"), LogStreamName: aws.String("s"),
				LogEvents: []logstypes.InputLogEvent{{Message: aws.String("first"), Timestamp: aws.Int64(now - 2000)}, {Message: aws.String("second"), Timestamp: aws.Int64(now - 1000)}}})
			env.must(err)
			out, err := c.GetLogEvents(env.ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("conf-events"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
			env.must(err)
			var msgs []string
			for _, ev := range out.Events {
				msgs = append(msgs, aws.ToString(ev.Message))
			}
			env.eq("messages", strings.Join(msgs, ","), "first,second")
		}},
	}
}
