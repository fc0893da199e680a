package awsemu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	emulogs "github.com/kmswatch/kmswatch/reconcile/awsemu/internal/logs"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// logsPutFilter puts a filter counting 1 per match in namespace NS; tr, if set, replaces the
// transformation.
func logsPutFilter(t *testing.T, logs *cloudwatchlogs.Client, group, name, pat string, tr *logstypes.MetricTransformation) {
	t.Helper()
	if tr == nil {
		tr = &logstypes.MetricTransformation{MetricName: aws.String(name), MetricNamespace: aws.String("NS"), MetricValue: aws.String("1")}
	}
	_, err := logs.PutMetricFilter(context.Background(), &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String(group), FilterName: aws.String(name), FilterPattern: aws.String(pat),
		MetricTransformations: []logstypes.MetricTransformation{*tr},
	})
	if err != nil {
		t.Fatalf("put metric filter %s/%s: %v", group, name, err)
	}
}

func TestLogsPutMetricFilterValidation(t *testing.T) {
	_, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	tr := func(mod func(*logstypes.MetricTransformation)) []logstypes.MetricTransformation {
		m := logstypes.MetricTransformation{MetricName: aws.String("M"), MetricNamespace: aws.String("NS"), MetricValue: aws.String("1")}
		if mod != nil {
			mod(&m)
		}
		return []logstypes.MetricTransformation{m}
	}
	cases := []struct {
		name, group, filter, pattern string
		trs                          []logstypes.MetricTransformation
		code                         string
		msg                          string
	}{
		{"ok json", "g", "f", `{ $.eventSource = kms.amazonaws.com }`, tr(nil), "", ""},
		{"missing group", "nope", "f", "", tr(nil), "ResourceNotFoundException", ""},
		{"bad pattern", "g", "f", `{ $.a = `, tr(nil), "InvalidParameterException", "Invalid metric filter pattern"},
		{"two transformations", "g", "f", "", append(tr(nil), tr(nil)...), "InvalidParameterException", "less than or equal to 1"},
		{"no transformation", "g", "f", "", []logstypes.MetricTransformation{}, "InvalidParameterException", ""},
		{"filter name with colon", "g", "a:b", "", tr(nil), "InvalidParameterException", "regular expression"},
		{"metric name with $", "g", "f", "", tr(func(m *logstypes.MetricTransformation) { m.MetricName = aws.String("a$") }), "InvalidParameterException", "metricName"},
		{"bad metric value", "g", "f", "", tr(func(m *logstypes.MetricTransformation) { m.MetricValue = aws.String("one") }), "InvalidParameterException", "metric value"},
		{"dimensions and default", "g", "f", `{ $.a = 1 }`, tr(func(m *logstypes.MetricTransformation) {
			m.Dimensions = map[string]string{"A": "$.a"}
			m.DefaultValue = aws.Float64(0)
		}), "InvalidParameterException", "mutually exclusive"},
		{"dimensions on terms", "g", "f", `ERROR`, tr(func(m *logstypes.MetricTransformation) { m.Dimensions = map[string]string{"A": "$.a"} }),
			"InvalidParameterException", "does not support dimensions"},
		{"four dimensions", "g", "f", `{ $.a = 1 }`, tr(func(m *logstypes.MetricTransformation) {
			m.Dimensions = map[string]string{"A": "$.a", "B": "$.b", "C": "$.c", "D": "$.d"}
		}), "InvalidParameterException", ""},
		{"bad unit", "g", "f", "", tr(func(m *logstypes.MetricTransformation) { m.Unit = "Furlongs" }), "InvalidParameterException", ""},
		{"ok space-delimited with dimension", "g", "f2", `[ip, user, status=4*]`, tr(func(m *logstypes.MetricTransformation) {
			m.Dimensions = map[string]string{"Status": "$status"}
			m.Unit = logstypes.StandardUnitCount
		}), "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(tc.group),
				FilterName: aws.String(tc.filter), FilterPattern: aws.String(tc.pattern), MetricTransformations: tc.trs})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			logsWantCode(t, err, tc.code)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("message %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func TestLogsMetricFiltersCRUD(t *testing.T) {
	_, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	logsCreateGroup(t, logs, "h")
	logsPutFilter(t, logs, "g", "b-filter", "ERROR", nil)
	logsPutFilter(t, logs, "g", "a-filter", "WARN", nil)
	logsPutFilter(t, logs, "h", "a-filter", "INFO", nil)
	// Same (group, name) overwrites: still one filter, with the new pattern and transformation.
	logsPutFilter(t, logs, "g", "b-filter", `{ $.x = 1 }`, &logstypes.MetricTransformation{MetricName: aws.String("X"),
		MetricNamespace: aws.String("Other"), MetricValue: aws.String("$.v"), DefaultValue: aws.Float64(0)})
	out, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 2 || aws.ToString(out.MetricFilters[0].FilterName) != "a-filter" {
		t.Fatalf("filters of g: %+v", out.MetricFilters)
	}
	b := out.MetricFilters[1]
	if aws.ToString(b.FilterPattern) != `{ $.x = 1 }` || aws.ToString(b.MetricTransformations[0].MetricValue) != "$.v" ||
		aws.ToFloat64(b.MetricTransformations[0].DefaultValue) != 0 || b.MetricTransformations[0].DefaultValue == nil ||
		aws.ToString(b.LogGroupName) != "g" || aws.ToInt64(b.CreationTime) != logsTestStart.UnixMilli() {
		t.Fatalf("overwritten filter: %+v %+v", b, b.MetricTransformations[0])
	}
	groups, _ := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("g")})
	if aws.ToInt32(groups.LogGroups[0].MetricFilterCount) != 2 {
		t.Fatalf("metricFilterCount = %d", aws.ToInt32(groups.LogGroups[0].MetricFilterCount))
	}
	for name, tc := range map[string]struct {
		in   cloudwatchlogs.DescribeMetricFiltersInput
		want string
	}{
		"all, by filter name then group": {cloudwatchlogs.DescribeMetricFiltersInput{}, "a-filter/g a-filter/h b-filter/g"},
		"prefix with group":              {cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("g"), FilterNamePrefix: aws.String("b")}, "b-filter/g"},
		"prefix without group ignored":   {cloudwatchlogs.DescribeMetricFiltersInput{FilterNamePrefix: aws.String("b")}, "a-filter/g a-filter/h b-filter/g"},
		"metric name and namespace": {cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("a-filter"),
			MetricNamespace: aws.String("NS")}, "a-filter/g a-filter/h"},
	} {
		out, err := logs.DescribeMetricFilters(ctx, &tc.in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, f := range out.MetricFilters {
			got = append(got, aws.ToString(f.FilterName)+"/"+aws.ToString(f.LogGroupName))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: got %q, want %q", name, strings.Join(got, " "), tc.want)
		}
	}
	_, err = logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("X")})
	logsWantCode(t, err, "InvalidParameterException")
	_, err = logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("nope")})
	logsWantCode(t, err, "ResourceNotFoundException")

	if _, err := logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("a-filter")}); err != nil {
		t.Fatal(err)
	}
	_, err = logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("a-filter")})
	var rnf *logstypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("second delete: want ResourceNotFoundException, got %v", err)
	}
}

func TestLogsMetricFilterQuotaAndPaging(t *testing.T) {
	_, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	logsCreateGroup(t, logs, "g")
	for i := 0; i < emulogs.MaxMetricFilters; i++ {
		logsPutFilter(t, logs, "g", fmt.Sprintf("f%03d", i), "", nil)
	}
	_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("one-too-many"),
		FilterPattern: aws.String(""), MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String("M"),
			MetricNamespace: aws.String("NS"), MetricValue: aws.String("1")}}})
	var lim *logstypes.LimitExceededException
	if !errors.As(err, &lim) {
		t.Fatalf("101st filter: want LimitExceededException, got %v", err)
	}
	// Overwriting an existing filter at the quota is fine.
	logsPutFilter(t, logs, "g", "f050", "ERROR", nil)
	var names []string
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(logs, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("g")})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range out.MetricFilters {
			names = append(names, aws.ToString(f.FilterName))
		}
	}
	if len(names) != 100 || pages != 2 || names[0] != "f000" || names[99] != "f099" {
		t.Fatalf("%d filters in %d pages, first %s", len(names), pages, names[0])
	}
	_, err = logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{NextToken: aws.String("garbage")})
	logsWantCode(t, err, "InvalidParameterException")
}

func TestLogsTestMetricFilter(t *testing.T) {
	_, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	ctx := context.Background()
	msgs := []string{
		`127.0.0.1 frank 404 2326`,
		`{"eventSource":"kms.amazonaws.com","errorCode":"AccessDenied"}`,
		`10.0.0.1 bob 200 17`,
	}
	out, err := logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(`[ip, user, status=4*, bytes]`), LogEventMessages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Matches) != 1 || out.Matches[0].EventNumber != 1 || aws.ToString(out.Matches[0].EventMessage) != msgs[0] ||
		fmt.Sprint(out.Matches[0].ExtractedValues) != "map[$bytes:2326 $ip:127.0.0.1 $status:404 $user:frank]" {
		t.Fatalf("space-delimited matches: %+v", out.Matches)
	}
	out, err = logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(`{ $.errorCode = "*" }`), LogEventMessages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Matches) != 1 || out.Matches[0].EventNumber != 2 || out.Matches[0].ExtractedValues == nil || len(out.Matches[0].ExtractedValues) != 0 {
		t.Fatalf("json matches: %+v", out.Matches)
	}
	out, err = logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(`nomatch`), LogEventMessages: msgs})
	if err != nil || len(out.Matches) != 0 {
		t.Fatalf("no matches: %v %+v", err, out)
	}
	_, err = logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(`{ $.a = `), LogEventMessages: msgs})
	logsWantCode(t, err, "InvalidParameterException")
	_, err = logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(``), LogEventMessages: make([]string, 51)})
	logsWantCode(t, err, "InvalidParameterException")
}
