package awsemu

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

var cwT0 = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

// cwProtocols are the three protocols CloudWatch answers; every SDK test runs over each.
var cwProtocols = map[string]func(*cloudwatch.Options){
	"cbor":  func(*cloudwatch.Options) {},
	"query": func(o *cloudwatch.Options) { o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801) },
	"json":  func(o *cloudwatch.Options) { o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801) },
}

// testConfig returns an in-process SDK config for e (region us-east-1, one attempt).
func testConfig(t testing.TB, e *Emulator) aws.Config {
	t.Helper()
	return emuConfig(e, "AKIDTEST")
}

// forEachProtocol runs f with a fresh emulator and a CloudWatch client speaking each protocol.
func forEachProtocol(t *testing.T, f func(t *testing.T, e *Emulator, cw *cloudwatch.Client)) {
	for _, name := range []string{"cbor", "query", "json"} {
		t.Run(name, func(t *testing.T) {
			e := New(Options{Start: cwT0})
			f(t, e, cloudwatch.NewFromConfig(testConfig(t, e), cwProtocols[name]))
		})
	}
}

// wantCode fails unless err is an API error whose code is the query code or the shape name
// (the query protocol reports a modeled error by its shape name, the others by the query code).
func wantCode(t *testing.T, err error, codes ...string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want error %v, got %v", codes, err)
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return
		}
	}
	t.Fatalf("want error %v, got %s: %s", codes, ae.ErrorCode(), ae.ErrorMessage())
}

func alarmInput(name string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), MetricName: aws.String("KMSSecurityError"), Namespace: aws.String("Pattern1/KMS"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
	}
}

func describeOne(t *testing.T, cw *cloudwatch.Client, name string) cwtypes.MetricAlarm {
	t.Helper()
	out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarms(%s) returned %d alarms", name, len(out.MetricAlarms))
	}
	return out.MetricAlarms[0]
}

func TestCloudWatchAlarmLifecycle(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		ctx := context.Background()
		in := alarmInput("lab-alarm")
		in.AlarmDescription = aws.String("Failed KMS calls")
		in.AlarmActions = []string{"arn:aws:sns:us-east-1:123456789012:topic"}
		in.Dimensions = []cwtypes.Dimension{{Name: aws.String("Role"), Value: aws.String("task")}}
		in.TreatMissingData = aws.String("notBreaching")
		in.Tags = []cwtypes.Tag{{Key: aws.String("kmswatch.dev/managed-by"), Value: aws.String("kmswatch")}}
		if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
			t.Fatal(err)
		}
		a := describeOne(t, cw, "lab-alarm")
		arn := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:lab-alarm"
		if a.StateValue != cwtypes.StateValueInsufficientData || aws.ToString(a.StateReason) != "Unchecked: Initial alarm creation" ||
			aws.ToString(a.AlarmArn) != arn || aws.ToString(a.AlarmDescription) != "Failed KMS calls" ||
			!aws.ToBool(a.ActionsEnabled) || aws.ToString(a.TreatMissingData) != "notBreaching" || a.DatapointsToAlarm != nil ||
			a.Statistic != cwtypes.StatisticSum || aws.ToInt32(a.Period) != 60 || aws.ToFloat64(a.Threshold) != 1 ||
			len(a.Dimensions) != 1 || aws.ToString(a.Dimensions[0].Value) != "task" || len(a.AlarmActions) != 1 ||
			!a.AlarmConfigurationUpdatedTimestamp.Equal(cwT0) || !a.StateUpdatedTimestamp.Equal(cwT0) {
			t.Fatalf("unexpected alarm %+v", a)
		}
		tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "kmswatch" {
			t.Fatalf("ListTagsForResource: %+v %v", tags, err)
		}
		// With no data and notBreaching, the first evaluation moves the alarm to OK.
		e.Advance(time.Minute)
		if a := describeOne(t, cw, "lab-alarm"); a.StateValue != cwtypes.StateValueOk {
			t.Fatalf("after a minute without data: %s", a.StateValue)
		}
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("lab-alarm"),
			StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("testing")}); err != nil {
			t.Fatal(err)
		}
		// An update replaces the configuration, keeps the state and ignores Tags.
		in2 := alarmInput("lab-alarm")
		in2.Threshold = aws.Float64(5)
		in2.Tags = []cwtypes.Tag{{Key: aws.String("other"), Value: aws.String("x")}}
		if _, err := cw.PutMetricAlarm(ctx, in2); err != nil {
			t.Fatal(err)
		}
		a = describeOne(t, cw, "lab-alarm")
		if aws.ToFloat64(a.Threshold) != 5 || a.AlarmDescription != nil || len(a.AlarmActions) != 0 || len(a.Dimensions) != 0 ||
			a.TreatMissingData != nil || a.StateValue != cwtypes.StateValueAlarm || aws.ToString(a.StateReason) != "testing" ||
			!a.AlarmConfigurationUpdatedTimestamp.Equal(cwT0.Add(time.Minute)) {
			t.Fatalf("update did not replace config and keep state: %+v", a)
		}
		tags, err = cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "kmswatch.dev/managed-by" {
			t.Fatalf("tags changed on update: %+v %v", tags, err)
		}
		if _, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn),
			Tags: []cwtypes.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(arn),
			TagKeys: []string{"kmswatch.dev/managed-by", "absent"}}); err != nil {
			t.Fatal(err)
		}
		tags, err = cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil || len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "a" || aws.ToString(tags.Tags[1].Key) != "b" {
			t.Fatalf("tags after tag/untag: %+v %v", tags, err)
		}
		if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"lab-alarm"}}); err != nil {
			t.Fatal(err)
		}
		if out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil || len(out.MetricAlarms) != 0 {
			t.Fatalf("alarm survived DeleteAlarms: %+v %v", out, err)
		}
		_, err = cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		var rnf *cwtypes.ResourceNotFoundException
		if !errors.As(err, &rnf) || !strings.Contains(rnf.ErrorMessage(), arn) {
			t.Fatalf("ListTagsForResource on a deleted alarm: want ResourceNotFoundException naming the ARN, got %v", err)
		}
		if e.w.Tags.Get(arn) != nil {
			t.Fatalf("tags of a deleted alarm kept: %v", e.w.Tags.Get(arn))
		}
	})
}

func TestCloudWatchDeleteAlarmsUnknownNames(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		ctx := context.Background()
		for _, n := range []string{"a", "b"} {
			if _, err := cw.PutMetricAlarm(ctx, alarmInput(n)); err != nil {
				t.Fatal(err)
			}
		}
		_, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a", "missing"}})
		var rnf *cwtypes.ResourceNotFound
		if !errors.As(err, &rnf) {
			t.Fatalf("want ResourceNotFound, got %v", err)
		}
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		if err != nil || len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "b" {
			t.Fatalf("the existing alarm named with an unknown one must still be deleted: %+v %v", out, err)
		}
	})
}

func TestCloudWatchErrors(t *testing.T) {
	long := string(make([]byte, 256))
	mod := func(f func(*cloudwatch.PutMetricAlarmInput)) *cloudwatch.PutMetricAlarmInput {
		in := alarmInput("x")
		f(in)
		return in
	}
	arn := func(i int) string { return fmt.Sprintf("arn:aws:sns:us-east-1:123456789012:t%d", i) }
	cases := []struct {
		name  string
		call  func(ctx context.Context, cw *cloudwatch.Client) error
		codes []string
	}{
		{"period 45", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(45) })), []string{"ValidationError", "ValidationException"}},
		{"period 0", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(0) })), []string{"ValidationError", "ValidationException"}},
		{"more than a day", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(1441) })), []string{"ValidationError", "ValidationException"}},
		{"more than 7 days", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) {
			in.Period, in.EvaluationPeriods = aws.Int32(3600), aws.Int32(169)
		})), []string{"ValidationError", "ValidationException"}},
		{"M > N", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(2) })), []string{"ValidationError", "ValidationException"}},
		{"6 actions", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) {
			in.AlarmActions = []string{arn(1), arn(2), arn(3), arn(4), arn(5), arn(6)}
		})), []string{"ValidationError", "ValidationException"}},
		{"bad action arn", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.OKActions = []string{"topic"} })), []string{"ValidationError", "ValidationException"}},
		{"both statistics", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.ExtendedStatistic = aws.String("p90") })),
			[]string{"InvalidParameterCombination", "InvalidParameterCombinationException"}},
		{"no statistic", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "" })),
			[]string{"InvalidParameterCombination", "InvalidParameterCombinationException"}},
		{"bad statistic", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "Median" })), []string{"ValidationError", "ValidationException"}},
		{"bad operator", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "Equal" })), []string{"ValidationError", "ValidationException"}},
		{"bad treatMissingData", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("zero") })), []string{"ValidationError", "ValidationException"}},
		{"bad unit", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.Unit = "Furlongs" })), []string{"ValidationError", "ValidationException"}},
		{"long name", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String(long) })), []string{"ValidationError", "ValidationException"}},
		{"control char", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String("a\tb") })), []string{"ValidationError", "ValidationException"}},
		{"no namespace", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) { in.Namespace = nil })), []string{"MissingParameter", "MissingRequiredParameterException"}},
		{"aws: tag", putAlarm(mod(func(in *cloudwatch.PutMetricAlarmInput) {
			in.Tags = []cwtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("")}}
		})), []string{"InvalidParameterValue", "InvalidParameterValueException"}},
		{"describe 101 names", func(ctx context.Context, cw *cloudwatch.Client) error {
			names := make([]string, 101)
			for i := range names {
				names[i] = fmt.Sprint(i)
			}
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
			return err
		}, []string{"ValidationError", "ValidationException"}},
		{"describe names and prefix", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}, AlarmNamePrefix: aws.String("a")})
			return err
		}, []string{"InvalidParameterCombination", "InvalidParameterCombinationException"}},
		{"describe MaxRecords 101", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(101)})
			return err
		}, []string{"ValidationError", "ValidationException"}},
		{"describe bad token", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{NextToken: aws.String("bogus")})
			return err
		}, []string{"InvalidNextToken"}},
		{"describe bad state", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{StateValue: "BROKEN"})
			return err
		}, []string{"ValidationError", "ValidationException"}},
		{"delete 101 names", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: make([]string, 101)})
			return err
		}, []string{"ValidationError", "ValidationException"}},
		{"tag missing alarm", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:none"),
				Tags: []cwtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, []string{"ResourceNotFoundException"}},
		{"untag missing alarm", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:none"), TagKeys: []string{"k"}})
			return err
		}, []string{"ResourceNotFoundException"}},
		{"set state of missing alarm", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("none"), StateValue: cwtypes.StateValueOk, StateReason: aws.String("r")})
			return err
		}, []string{"ResourceNotFound"}},
		{"set state bad reason data", func(ctx context.Context, cw *cloudwatch.Client) error {
			if _, err := cw.PutMetricAlarm(ctx, alarmInput("x")); err != nil {
				return err
			}
			_, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("x"), StateValue: cwtypes.StateValueOk,
				StateReason: aws.String("r"), StateReasonData: aws.String("{not json")})
			return err
		}, []string{"InvalidFormat", "InvalidFormatFault"}},
		{"history bad token", func(ctx context.Context, cw *cloudwatch.Client) error {
			_, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{NextToken: aws.String("bogus")})
			return err
		}, []string{"InvalidNextToken"}},
	}
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, tc.call(context.Background(), cw), tc.codes...)
			})
		}
	})
}

func putAlarm(in *cloudwatch.PutMetricAlarmInput) func(context.Context, *cloudwatch.Client) error {
	return func(ctx context.Context, cw *cloudwatch.Client) error {
		_, err := cw.PutMetricAlarm(ctx, in)
		return err
	}
}

func TestCloudWatchDescribeAlarmsPagination(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		ctx := context.Background()
		var all []string
		for i := 0; i < 120; i++ {
			name := fmt.Sprintf("app-%03d", 119-i) // created out of order
			if i%3 == 0 {
				name = fmt.Sprintf("db-%03d", i)
			}
			in := alarmInput(name)
			if i%10 == 0 {
				in.AlarmActions = []string{"arn:aws:sns:us-east-1:123456789012:pager"}
			}
			if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
				t.Fatal(err)
			}
			all = append(all, name)
		}
		sort.Strings(all)
		list := func(in cloudwatch.DescribeAlarmsInput) ([]string, int) {
			var names []string
			pages := 0
			p := cloudwatch.NewDescribeAlarmsPaginator(cw, &in)
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, a := range out.MetricAlarms {
					names = append(names, aws.ToString(a.AlarmName))
				}
			}
			return names, pages
		}
		got, pages := list(cloudwatch.DescribeAlarmsInput{})
		if fmt.Sprint(got) != fmt.Sprint(all) || pages != 3 {
			t.Fatalf("default pages: %d pages, %d names (want 3 pages of 50, sorted)", pages, len(got))
		}
		got, pages = list(cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(100), AlarmNamePrefix: aws.String("db-")})
		if len(got) != 40 || pages != 1 || got[0] != "db-000" || got[39] != "db-117" {
			t.Fatalf("prefix: %d pages %v", pages, got)
		}
		got, pages = list(cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(7), AlarmNamePrefix: aws.String("app-")})
		if len(got) != 80 || pages != 12 || got[0] != "app-000" {
			t.Fatalf("prefix pages of 7: %d pages %d names", pages, len(got))
		}
		got, _ = list(cloudwatch.DescribeAlarmsInput{AlarmNames: []string{}, AlarmNamePrefix: aws.String("db-11")})
		if fmt.Sprint(got) != "[db-111 db-114 db-117]" {
			t.Fatalf("an empty AlarmNames list must filter nothing: %v", got)
		}
		got, _ = list(cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"db-003", "nope", "app-004", "db-003"}})
		if fmt.Sprint(got) != "[app-004 db-003]" {
			t.Fatalf("AlarmNames: %v", got)
		}
		got, _ = list(cloudwatch.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:us-east-1:123456789012:pa")})
		if len(got) != 12 {
			t.Fatalf("ActionPrefix: %v", got)
		}
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("db-009"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("t")}); err != nil {
			t.Fatal(err)
		}
		got, _ = list(cloudwatch.DescribeAlarmsInput{StateValue: cwtypes.StateValueAlarm})
		if fmt.Sprint(got) != "[db-009]" {
			t.Fatalf("StateValue: %v", got)
		}
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
		if err != nil || len(out.MetricAlarms) != 0 {
			t.Fatalf("AlarmTypes=[CompositeAlarm] returned metric alarms: %d %v", len(out.MetricAlarms), err)
		}
	})
}

// TestLargeRequestsOverHTTPClient reads 100 alarms by name (a ~4 KB request, a ~60 KB
// response) many times: with the SDK's own HTTP client this fails now and then with "use of
// closed network connection" (see HTTPClient); with HTTPClient it must never fail.
func TestLargeRequestsOverHTTPClient(t *testing.T) {
	e := New(Options{Start: cwT0})
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	ctx := context.Background()
	var names []string
	for i := 0; i < 100; i++ {
		in := benchAlarmInput(i)
		if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
			t.Fatal(err)
		}
		names = append(names, *in.AlarmName)
	}
	for k := 0; k < 500; k++ {
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names, MaxRecords: aws.Int32(100)})
		if err != nil || len(out.MetricAlarms) != 100 {
			t.Fatalf("call %d: %v", k, err)
		}
	}
}
