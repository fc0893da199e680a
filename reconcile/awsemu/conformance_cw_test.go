package awsemu

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// cw is a CloudWatch client in the scenario's protocol: the SDK's default CBOR, or query.
func (env *confEnv) cw() *cloudwatch.Client {
	return cloudwatch.NewFromConfig(env.cfg, func(o *cloudwatch.Options) {
		if env.cwProtocol == "query" {
			o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		}
	})
}

func confAlarmInput(name string, threshold float64) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), AlarmDescription: aws.String("conformance"),
		Namespace: aws.String("Conformance/KMS"), MetricName: aws.String("KMSSecurityError"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(1),
		Threshold: aws.Float64(threshold), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData: aws.String("notBreaching"),
		AlarmActions:     []string{"arn:aws:sns:us-east-1:" + confAccount + ":conf-alarm-topic"},
	}
}

func (env *confEnv) alarm(in *cloudwatch.PutMetricAlarmInput) {
	env.Helper()
	_, err := env.cw().PutMetricAlarm(env.ctx, in)
	env.must(err)
}

func (env *confEnv) describeAlarm(name string) cwtypes.MetricAlarm {
	env.Helper()
	out, err := env.cw().DescribeAlarms(env.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	env.must(err)
	env.eq("alarms named "+name, len(out.MetricAlarms), 1)
	return out.MetricAlarms[0]
}

func confAlarmARN(name string) string {
	return "arn:aws:cloudwatch:us-east-1:" + confAccount + ":alarm:" + name
}

func cloudwatchScenarios() []scenario {
	return []scenario{
		{name: "cloudwatch/put-and-describe-alarm", run: func(env *confEnv) {
			env.alarm(confAlarmInput("conf-alarm", 1))
			a := env.describeAlarm("conf-alarm")
			env.eq("AlarmArn", aws.ToString(a.AlarmArn), confAlarmARN("conf-alarm"))
			env.eq("Threshold", aws.ToFloat64(a.Threshold), 1)
			env.eq("Period", aws.ToInt32(a.Period), 60)
			env.eq("Statistic", a.Statistic, cwtypes.StatisticSum)
			env.eq("ComparisonOperator", a.ComparisonOperator, cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold)
			env.eq("TreatMissingData", aws.ToString(a.TreatMissingData), "notBreaching")
			env.eq("AlarmActions", a.AlarmActions, []string{"arn:aws:sns:us-east-1:" + confAccount + ":conf-alarm-topic"})
			env.eq("MetricName", aws.ToString(a.MetricName), "KMSSecurityError")
			env.eq("ActionsEnabled", aws.ToBool(a.ActionsEnabled), true)
		}},
		{name: "cloudwatch/new-alarm-state",
			motoGap: "moto starts a new alarm in OK, AWS in INSUFFICIENT_DATA; asserted instead: OK",
			run: func(env *confEnv) {
				env.alarm(confAlarmInput("conf-new", 1))
				want := cwtypes.StateValueInsufficientData
				if env.onMoto() {
					want = cwtypes.StateValueOk
				}
				env.eq("StateValue", env.describeAlarm("conf-new").StateValue, want)
			}},
		{name: "cloudwatch/put-alarm-replaces-and-keeps-state",
			motoGap: "moto resets the state to OK when an alarm is put again, AWS keeps it; asserted instead: the new threshold and state OK",
			run: func(env *confEnv) {
				env.alarm(confAlarmInput("conf-replace", 1))
				_, err := env.cw().SetAlarmState(env.ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("conf-replace"),
					StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("conformance")})
				env.must(err)
				env.alarm(confAlarmInput("conf-replace", 5))
				a := env.describeAlarm("conf-replace")
				env.eq("Threshold", aws.ToFloat64(a.Threshold), 5)
				want := cwtypes.StateValueAlarm
				if env.onMoto() {
					want = cwtypes.StateValueOk
				}
				env.eq("StateValue", a.StateValue, want)
			}},
		{name: "cloudwatch/put-alarm-ignores-tags-on-update",
			motoGap: "moto applies Tags given to PutMetricAlarm on an update, AWS ignores them; asserted instead: both tags present",
			run: func(env *confEnv) {
				in := confAlarmInput("conf-tags-update", 1)
				in.Tags = []cwtypes.Tag{{Key: aws.String("first"), Value: aws.String("1")}}
				env.alarm(in)
				in.Tags = []cwtypes.Tag{{Key: aws.String("second"), Value: aws.String("2")}}
				env.alarm(in)
				out, err := env.cw().ListTagsForResource(env.ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(confAlarmARN("conf-tags-update"))})
				env.must(err)
				want := 1
				if env.onMoto() {
					want = 2
				}
				env.eq("tags", len(out.Tags), want)
			}},
		{name: "cloudwatch/describe-alarms-pages",
			motoGap: "moto ignores MaxRecords and NextToken and returns every alarm in one page; asserted instead: one page of 5",
			run: func(env *confEnv) {
				for i := 0; i < 5; i++ {
					env.alarm(confAlarmInput(fmt.Sprintf("conf-page-%d", i), 1))
				}
				var sizes []int
				p := cloudwatch.NewDescribeAlarmsPaginator(env.cw(), &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(2)})
				for p.HasMorePages() {
					page, err := p.NextPage(env.ctx)
					env.must(err)
					sizes = append(sizes, len(page.MetricAlarms))
				}
				want := []int{2, 2, 1}
				if env.onMoto() {
					want = []int{5}
				}
				env.eq("page sizes", sizes, want)
			}},
		{name: "cloudwatch/describe-alarms-by-prefix", run: func(env *confEnv) {
			for _, n := range []string{"conf-a-1", "conf-a-2", "conf-b-1"} {
				env.alarm(confAlarmInput(n, 1))
			}
			out, err := env.cw().DescribeAlarms(env.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("conf-a-")})
			env.must(err)
			var names []string
			for _, a := range out.MetricAlarms {
				names = append(names, aws.ToString(a.AlarmName))
			}
			env.eq("names", names, []string{"conf-a-1", "conf-a-2"})
		}},
		{name: "cloudwatch/delete-alarm-drops-tags",
			motoGap: "moto keeps a deleted alarm's tags, AWS drops them with the alarm; asserted instead: the tag is still listed",
			run: func(env *confEnv) {
				in := confAlarmInput("conf-del", 1)
				in.Tags = []cwtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
				env.alarm(in)
				_, err := env.cw().DeleteAlarms(env.ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"conf-del"}})
				env.must(err)
				out, err := env.cw().DescribeAlarms(env.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"conf-del"}})
				env.must(err)
				env.eq("alarms left", len(out.MetricAlarms), 0)
				tags, err := env.cw().ListTagsForResource(env.ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(confAlarmARN("conf-del"))})
				if env.onMoto() {
					env.must(err)
					env.eq("tags", len(tags.Tags), 1)
					return
				}
				env.code(err, "ResourceNotFoundException")
			}},
		{name: "cloudwatch/set-alarm-state", run: func(env *confEnv) {
			env.alarm(confAlarmInput("conf-state", 1))
			_, err := env.cw().SetAlarmState(env.ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("conf-state"),
				StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("testing the alarm")})
			env.must(err)
			a := env.describeAlarm("conf-state")
			env.eq("StateValue", a.StateValue, cwtypes.StateValueAlarm)
			env.eq("StateReason", aws.ToString(a.StateReason), "testing the alarm")
			_, err = env.cw().SetAlarmState(env.ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("conf-nope"),
				StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("x")})
			env.code(err, "ResourceNotFound")
		}},
		{name: "cloudwatch/tag-untag-list", run: func(env *confEnv) {
			env.alarm(confAlarmInput("conf-tagged", 1))
			arn := aws.String(confAlarmARN("conf-tagged"))
			c := env.cw()
			_, err := c.TagResource(env.ctx, &cloudwatch.TagResourceInput{ResourceARN: arn, Tags: []cwtypes.Tag{
				{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
			env.must(err)
			_, err = c.UntagResource(env.ctx, &cloudwatch.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"a"}})
			env.must(err)
			out, err := c.ListTagsForResource(env.ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: arn})
			env.must(err)
			env.eq("tags", len(out.Tags), 1)
			env.eq("b", aws.ToString(out.Tags[0].Value), "2")
		}},
		{name: "cloudwatch/tag-missing-alarm", run: func(env *confEnv) {
			_, err := env.cw().TagResource(env.ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(confAlarmARN("conf-missing")),
				Tags: []cwtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
			env.code(err, "ResourceNotFoundException")
		}},
		{name: "cloudwatch/alarm-evaluates-metric-data",
			motoGap: "moto never evaluates alarms against PutMetricData and never publishes (no pipeline); asserted instead: the alarm stays OK",
			run: func(env *confEnv) {
				env.alarm(confAlarmInput("conf-eval", 1))
				_, err := env.cw().PutMetricData(env.ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Conformance/KMS"), MetricData: []cwtypes.MetricDatum{
					{MetricName: aws.String("KMSSecurityError"), Value: aws.Float64(3), Timestamp: aws.Time(env.now())}}})
				env.must(err)
				env.advance(3 * time.Minute)
				want := cwtypes.StateValueAlarm
				if env.onMoto() {
					want = cwtypes.StateValueOk
				}
				env.eq("StateValue", env.describeAlarm("conf-eval").StateValue, want)
			}},
		{name: "cloudwatch/metric-data-and-statistics", run: func(env *confEnv) {
			now := env.now().Truncate(time.Minute)
			_, err := env.cw().PutMetricData(env.ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Conformance/Data"), MetricData: []cwtypes.MetricDatum{
				{MetricName: aws.String("Errors"), Value: aws.Float64(2), Timestamp: aws.Time(now.Add(-2 * time.Minute))},
				{MetricName: aws.String("Errors"), Value: aws.Float64(3), Timestamp: aws.Time(now.Add(-2 * time.Minute))}}})
			env.must(err)
			out, err := env.cw().GetMetricStatistics(env.ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("Conformance/Data"),
				MetricName: aws.String("Errors"), StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now),
				Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount}})
			env.must(err)
			env.eq("datapoints", len(out.Datapoints), 1)
			env.eq("Sum", aws.ToFloat64(out.Datapoints[0].Sum), 5)
			env.eq("SampleCount", aws.ToFloat64(out.Datapoints[0].SampleCount), 2)
		}},
	}
}
