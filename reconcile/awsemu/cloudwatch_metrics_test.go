package awsemu

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func sdkDatum(name string, v float64, at time.Time, dims ...string) cwtypes.MetricDatum {
	d := cwtypes.MetricDatum{MetricName: aws.String(name), Value: aws.Float64(v), Timestamp: aws.Time(at)}
	for i := 0; i+1 < len(dims); i += 2 {
		d.Dimensions = append(d.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
	return d
}

func TestCloudWatchMetricQueries(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		ctx := context.Background()
		e.Advance(10 * time.Minute)
		// Minute 0: 1, 2, 3 (regular resolution, truncated to the minute); minute 2: 10.
		data := []cwtypes.MetricDatum{
			sdkDatum("Errors", 1, cwT0.Add(5*time.Second), "Role", "task"),
			sdkDatum("Errors", 2, cwT0.Add(30*time.Second), "Role", "task"),
			sdkDatum("Errors", 3, cwT0.Add(59*time.Second), "Role", "task"),
			sdkDatum("Errors", 10, cwT0.Add(2*time.Minute), "Role", "task"),
			sdkDatum("Errors", 99, cwT0, "Role", "other"),
			{MetricName: aws.String("Latency"), Values: []float64{1, 2, 3, 4}, Counts: []float64{1, 1, 1, 7}, Timestamp: aws.Time(cwT0)},
		}
		if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}); err != nil {
			t.Fatal(err)
		}
		stat := func(id, name, s string, dims ...string) cwtypes.MetricDataQuery {
			m := &cwtypes.Metric{Namespace: aws.String("App"), MetricName: aws.String(name)}
			for i := 0; i+1 < len(dims); i += 2 {
				m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
			}
			return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{Metric: m, Period: aws.Int32(60), Stat: aws.String(s)}}
		}
		out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(cwT0), EndTime: aws.Time(cwT0.Add(5 * time.Minute)),
			MetricDataQueries: []cwtypes.MetricDataQuery{stat("sum", "Errors", "Sum", "Role", "task"), stat("avg", "Errors", "Average", "Role", "task"),
				stat("n", "Errors", "SampleCount", "Role", "task"), stat("p50", "Latency", "p50"), stat("none", "Errors", "Sum")}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range out.MetricDataResults {
			got[aws.ToString(r.Id)] = fmt.Sprint(r.Values)
			if len(r.Timestamps) > 0 && !r.Timestamps[0].Equal(cwT0.Add(2*time.Minute)) && aws.ToString(r.Id) != "p50" {
				t.Errorf("%s: timestamps not newest first: %v", aws.ToString(r.Id), r.Timestamps)
			}
		}
		want := map[string]string{"sum": "[10 6]", "avg": "[10 2]", "n": "[1 3]", "p50": "[4]", "none": "[]"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("GetMetricData: got %v, want %v", got, want)
		}
		// Paging by MaxDatapoints.
		page, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(cwT0), EndTime: aws.Time(cwT0.Add(5 * time.Minute)),
			MaxDatapoints: aws.Int32(1), ScanBy: cwtypes.ScanByTimestampAscending,
			MetricDataQueries: []cwtypes.MetricDataQuery{stat("sum", "Errors", "Sum", "Role", "task")}})
		if err != nil || page.NextToken == nil || fmt.Sprint(page.MetricDataResults[0].Values) != "[6]" {
			t.Fatalf("first page: %+v %v", page, err)
		}
		page, err = cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(cwT0), EndTime: aws.Time(cwT0.Add(5 * time.Minute)),
			MaxDatapoints: aws.Int32(1), ScanBy: cwtypes.ScanByTimestampAscending, NextToken: page.NextToken,
			MetricDataQueries: []cwtypes.MetricDataQuery{stat("sum", "Errors", "Sum", "Role", "task")}})
		if err != nil || page.NextToken != nil || fmt.Sprint(page.MetricDataResults[0].Values) != "[10]" {
			t.Fatalf("second page: %+v %v", page, err)
		}
		st, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String("Errors"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("Role"), Value: aws.String("task")}},
			StartTime:  aws.Time(cwT0), EndTime: aws.Time(cwT0.Add(5 * time.Minute)), Period: aws.Int32(300),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticMaximum, cwtypes.StatisticMinimum}})
		if err != nil || len(st.Datapoints) != 1 || aws.ToFloat64(st.Datapoints[0].Sum) != 16 || aws.ToFloat64(st.Datapoints[0].Maximum) != 10 ||
			aws.ToFloat64(st.Datapoints[0].Minimum) != 1 || st.Datapoints[0].Average != nil {
			t.Fatalf("GetMetricStatistics: %+v %v", st, err)
		}
		lm, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("App"),
			Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("Role")}}})
		if err != nil || len(lm.Metrics) != 2 {
			t.Fatalf("ListMetrics by dimension name: %+v %v", lm, err)
		}
		lm, err = cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{MetricName: aws.String("Latency")})
		if err != nil || len(lm.Metrics) != 1 || len(lm.Metrics[0].Dimensions) != 0 {
			t.Fatalf("ListMetrics by name: %+v %v", lm, err)
		}
	})
}

func TestCloudWatchPutMetricDataErrors(t *testing.T) {
	at := cwT0
	cases := []struct {
		name  string
		in    cloudwatch.PutMetricDataInput
		codes []string
	}{
		{"AWS namespace", cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/EC2"), MetricData: []cwtypes.MetricDatum{sdkDatum("m", 1, at)}},
			[]string{"InvalidParameterValue", "InvalidParameterValueException"}},
		{"too far in the future", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{sdkDatum("m", 1, at.Add(3*time.Hour))}},
			[]string{"InvalidParameterValue", "InvalidParameterValueException"}},
		{"older than two weeks", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{sdkDatum("m", 1, at.Add(-15*24*time.Hour))}},
			[]string{"InvalidParameterValue", "InvalidParameterValueException"}},
		{"value out of range", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{sdkDatum("m", math.Pow(2, 361), at)}},
			[]string{"InvalidParameterValue", "InvalidParameterValueException"}},
		{"value and values", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"),
			Value: aws.Float64(1), Values: []float64{1}}}}, []string{"InvalidParameterCombination", "InvalidParameterCombinationException"}},
		{"counts of another length", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"),
			Values: []float64{1, 2}, Counts: []float64{1}}}}, []string{"InvalidParameterCombination", "InvalidParameterCombinationException"}},
		{"151 values", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"),
			Values: make([]float64, 151)}}}, []string{"InvalidParameterValue", "InvalidParameterValueException"}},
		{"storage resolution 5", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"),
			Value: aws.Float64(1), StorageResolution: aws.Int32(5)}}}, []string{"InvalidParameterValue", "InvalidParameterValueException"}},
		{"no value", cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m")}}},
			[]string{"MissingParameter", "MissingRequiredParameterException"}},
	}
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := cw.PutMetricData(context.Background(), &tc.in)
				wantCode(t, err, tc.codes...)
			})
		}
		// A request with one bad datum stores nothing.
		lm, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
		if err != nil || len(lm.Metrics) != 0 {
			t.Fatalf("rejected requests stored metrics: %+v %v", lm, err)
		}
	})
}

// TestCloudWatchPutMetricDataLarge sends 1,000 datums: the SDK gzips bodies of 10 KiB or more.
func TestCloudWatchPutMetricDataLarge(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		ctx := context.Background()
		data := make([]cwtypes.MetricDatum, 1000)
		for i := range data {
			data[i] = sdkDatum(fmt.Sprintf("metric-%04d", i), float64(i), cwT0, "Shard", fmt.Sprint(i%7))
		}
		if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bulk"), MetricData: data}); err != nil {
			t.Fatal(err)
		}
		n := 0
		p := cloudwatch.NewListMetricsPaginator(cw, &cloudwatch.ListMetricsInput{Namespace: aws.String("Bulk")})
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			n += len(out.Metrics)
		}
		if n != 1000 || pages != 2 {
			t.Fatalf("ListMetrics saw %d metrics in %d pages, want 1000 in 2 (500 a page)", n, pages)
		}
		_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bulk"), MetricData: append(data, sdkDatum("one-more", 1, cwT0))})
		wantCode(t, err, "InvalidParameterValue", "InvalidParameterValueException")
	})
}

func TestCloudWatchAlarmHistoryPagination(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, e *Emulator, cw *cloudwatch.Client) {
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			if _, err := cw.PutMetricAlarm(ctx, alarmInput("h")); err != nil { // 1 create + 2 updates
				t.Fatal(err)
			}
			e.Advance(time.Second)
		}
		var summaries []string
		p := cloudwatch.NewDescribeAlarmHistoryPaginator(cw, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("h"),
			MaxRecords: aws.Int32(2), ScanBy: cwtypes.ScanByTimestampAscending})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.AlarmHistoryItems {
				if it.HistoryItemType != cwtypes.HistoryItemTypeConfigurationUpdate || it.AlarmType != cwtypes.AlarmTypeMetricAlarm {
					t.Fatalf("unexpected item %+v", it)
				}
				summaries = append(summaries, aws.ToString(it.HistorySummary))
			}
		}
		if fmt.Sprint(summaries) != `[Alarm "h" created Alarm "h" updated Alarm "h" updated]` {
			t.Fatalf("history %v", summaries)
		}
	})
}

// TestCloudWatchRetention: after 31 emulated days, datapoints older than 15 days and history
// older than 30 days are gone; the alarm itself stays.
func TestCloudWatchRetention(t *testing.T) {
	e := New(Options{Start: cwT0})
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	ctx := context.Background()
	if _, err := cw.PutMetricAlarm(ctx, alarmInput("kept")); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"),
		MetricData: []cwtypes.MetricDatum{sdkDatum("Old", 1, cwT0)}}); err != nil {
		t.Fatal(err)
	}
	e.Advance(31 * 24 * time.Hour)
	lm, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("App")})
	if err != nil || len(lm.Metrics) != 0 {
		t.Fatalf("a metric with only 31-day-old data is still listed: %+v %v", lm.Metrics, err)
	}
	h, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("kept"),
		HistoryItemType: cwtypes.HistoryItemTypeConfigurationUpdate})
	if err != nil || len(h.AlarmHistoryItems) != 0 {
		t.Fatalf("31-day-old history kept: %+v %v", h.AlarmHistoryItems, err)
	}
	describeOne(t, cw, "kept")
}
