package awsemu

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// published is one message an alarm handed to e.w.Bus.Publish.
type published struct {
	Topic, Subject, Message string
}

// recordPublishes replaces the SNS end of the bus with a recorder.
func recordPublishes(e *Emulator) *[]published {
	var got []published
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Bus.Publish = func(topic, subject, message string) error {
		got = append(got, published{topic, subject, message})
		return nil
	}
	return &got
}

const (
	alarmTopic = "arn:aws:sns:us-east-1:123456789012:alarm-topic"
	okTopic    = "arn:aws:sns:us-east-1:123456789012:ok-topic"
)

// point is a value put at cwT0 + at.
type point struct {
	at    time.Duration
	value float64
}

func putPoints(t *testing.T, cw *cloudwatch.Client, pts ...point) {
	t.Helper()
	for _, p := range pts {
		_, err := cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
			Namespace: aws.String("Pattern1/KMS"),
			MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("KMSSecurityError"),
				Timestamp: aws.Time(cwT0.Add(p.at)), Value: aws.Float64(p.value)}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestCloudWatchAlarmEvaluation(t *testing.T) {
	type alarmCfg struct {
		stat      cwtypes.Statistic
		op        cwtypes.ComparisonOperator
		threshold float64
		n, m      int32
		treat     string
	}
	sum := func(threshold float64) alarmCfg {
		return alarmCfg{cwtypes.StatisticSum, cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, threshold, 1, 0, ""}
	}
	with := func(c alarmCfg, f func(*alarmCfg)) alarmCfg { f(&c); return c }
	cases := []struct {
		name   string
		cfg    alarmCfg
		points []point // at: offset from the oldest of the N evaluated periods
		want   cwtypes.StateValue
	}{
		{"sum breaches", sum(3), []point{{0, 1}, {10 * time.Second, 1}, {20 * time.Second, 1}}, "ALARM"},
		{"sum below", sum(4), []point{{0, 1}, {10 * time.Second, 1}, {20 * time.Second, 1}}, "OK"},
		{"sample count", with(sum(3), func(c *alarmCfg) { c.stat = cwtypes.StatisticSampleCount }), []point{{0, 0}, {0, 0}, {0, 0}}, "ALARM"},
		{"average", with(sum(2.5), func(c *alarmCfg) {
			c.stat, c.op = cwtypes.StatisticAverage, cwtypes.ComparisonOperatorGreaterThanThreshold
		}),
			[]point{{0, 1}, {0, 2}, {0, 6}}, "ALARM"},
		{"average not above", with(sum(3), func(c *alarmCfg) {
			c.stat, c.op = cwtypes.StatisticAverage, cwtypes.ComparisonOperatorGreaterThanThreshold
		}),
			[]point{{0, 1}, {0, 2}, {0, 6}}, "OK"},
		{"maximum", with(sum(5), func(c *alarmCfg) { c.stat = cwtypes.StatisticMaximum }), []point{{0, 1}, {0, 5}}, "ALARM"},
		{"minimum below", with(sum(3), func(c *alarmCfg) {
			c.stat, c.op = cwtypes.StatisticMinimum, cwtypes.ComparisonOperatorLessThanThreshold
		}),
			[]point{{0, 2}, {0, 5}}, "ALARM"},
		{"less or equal", with(sum(2), func(c *alarmCfg) { c.op = cwtypes.ComparisonOperatorLessThanOrEqualToThreshold }),
			[]point{{0, 1}, {0, 1}}, "ALARM"},
		{"greater than is strict", with(sum(1), func(c *alarmCfg) { c.op = cwtypes.ComparisonOperatorGreaterThanThreshold }),
			[]point{{0, 1}}, "OK"},
		{"missing, no data", sum(1), nil, "INSUFFICIENT_DATA"},
		{"notBreaching, no data", with(sum(1), func(c *alarmCfg) { c.treat = "notBreaching" }), nil, "OK"},
		{"breaching, no data", with(sum(1), func(c *alarmCfg) { c.treat = "breaching" }), nil, "ALARM"},
		{"ignore, no data", with(sum(1), func(c *alarmCfg) { c.treat = "ignore" }), nil, "INSUFFICIENT_DATA"},
		{"real datapoints override breaching", with(sum(1), func(c *alarmCfg) { c.treat = "breaching" }), []point{{0, 0}}, "OK"},
		{"2 of 3 breach", with(sum(1), func(c *alarmCfg) { c.n, c.m = 3, 2 }),
			[]point{{0, 5}, {time.Minute, 0}, {2 * time.Minute, 5}}, "ALARM"},
		{"3 of 3 needs all", with(sum(1), func(c *alarmCfg) { c.n = 3 }),
			[]point{{0, 5}, {time.Minute, 0}, {2 * time.Minute, 5}}, "OK"},
		// M=N=3 with one real point (CloudWatch fills only the missing ones, see
		// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
		// with missing, "- - X" is OK but "X - -" is ALARM (the premature-transition rule,
		// internal/cloudwatch/eval.go);
		// with ignore the state is kept; with breaching the gaps breach; "0 - -" is OK even
		// when the missing points breach.
		{"missing, recent breach", with(sum(1), func(c *alarmCfg) { c.n = 3 }), []point{{2 * time.Minute, 5}}, "OK"},
		{"missing, breach M periods old", with(sum(1), func(c *alarmCfg) { c.n = 3 }), []point{{0, 5}}, "ALARM"},
		{"missing, breach then a 0", with(sum(1), func(c *alarmCfg) { c.n = 3 }), []point{{0, 5}, {time.Minute, 0}}, "OK"},
		{"missing, 2 of 3: breach 2 periods old", with(sum(1), func(c *alarmCfg) { c.n, c.m = 3, 2 }), []point{{time.Minute, 5}}, "ALARM"},
		{"ignore, breach M periods old", with(sum(1), func(c *alarmCfg) { c.n, c.treat = 3, "ignore" }), []point{{0, 5}}, "INSUFFICIENT_DATA"},
		{"ignore, one breaching", with(sum(1), func(c *alarmCfg) { c.n, c.treat = 3, "ignore" }), []point{{2 * time.Minute, 5}}, "INSUFFICIENT_DATA"},
		{"notBreaching, one breaching", with(sum(1), func(c *alarmCfg) { c.n, c.treat = 3, "notBreaching" }), []point{{2 * time.Minute, 5}}, "OK"},
		{"breaching fills", with(sum(1), func(c *alarmCfg) { c.n, c.treat = 3, "breaching" }), []point{{2 * time.Minute, 5}}, "ALARM"},
		{"breaching cannot outvote a real 0", with(sum(1), func(c *alarmCfg) { c.n, c.treat = 3, "breaching" }), []point{{0, 0}, {time.Minute, 0}}, "OK"},
		{"ignore decided by a real 0", with(sum(1), func(c *alarmCfg) { c.n, c.treat = 3, "ignore" }), []point{{2 * time.Minute, 0}}, "OK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The alarm is created at T0+3m and evaluated once, at T0+4m, over the N periods
			// before it; the points are put (in the past) relative to the oldest of them.
			e := New(Options{Start: cwT0})
			got := recordPublishes(e)
			cw := cloudwatch.NewFromConfig(testConfig(t, e))
			e.Advance(3 * time.Minute)
			shift := time.Duration(4-tc.cfg.n) * time.Minute
			var pts []point
			for _, p := range tc.points {
				pts = append(pts, point{p.at + shift, p.value})
			}
			in := alarmInput("a")
			in.Statistic, in.ComparisonOperator, in.Threshold = tc.cfg.stat, tc.cfg.op, aws.Float64(tc.cfg.threshold)
			in.EvaluationPeriods = aws.Int32(tc.cfg.n)
			if tc.cfg.m != 0 {
				in.DatapointsToAlarm = aws.Int32(tc.cfg.m)
			}
			if tc.cfg.treat != "" {
				in.TreatMissingData = aws.String(tc.cfg.treat)
			}
			in.AlarmActions, in.OKActions = []string{alarmTopic}, []string{okTopic}
			if _, err := cw.PutMetricAlarm(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			putPoints(t, cw, pts...)
			e.Advance(time.Minute)
			a := describeOne(t, cw, "a")
			if a.StateValue != tc.want {
				t.Fatalf("state %s (%s), want %s", a.StateValue, aws.ToString(a.StateReason), tc.want)
			}
			wantPublishes := 1
			if tc.want == "INSUFFICIENT_DATA" {
				wantPublishes = 0
			}
			if len(*got) != wantPublishes {
				t.Fatalf("published %d messages, want %d: %+v", len(*got), wantPublishes, *got)
			}
		})
	}
}

// TestCloudWatchAlarmNotification follows one alarm through ALARM, a persisting ALARM and OK,
// and checks the notification CloudWatch publishes.
func TestCloudWatchAlarmNotification(t *testing.T) {
	e := New(Options{Start: cwT0})
	got := recordPublishes(e)
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	ctx := context.Background()
	in := alarmInput("pattern1-logging-alarm")
	in.AlarmDescription = aws.String("Failed KMS calls")
	in.Dimensions = []cwtypes.Dimension{{Name: aws.String("Role"), Value: aws.String("task")}}
	in.TreatMissingData = aws.String("notBreaching")
	in.AlarmActions, in.OKActions = []string{alarmTopic}, []string{okTopic}
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	put := func(at time.Duration, v float64) {
		if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Pattern1/KMS"),
			MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("KMSSecurityError"), Timestamp: aws.Time(cwT0.Add(at)),
				Value: aws.Float64(v), Dimensions: in.Dimensions}}}); err != nil {
			t.Fatal(err)
		}
	}
	put(5*time.Second, 3)
	e.Advance(time.Minute)
	if len(*got) != 1 {
		t.Fatalf("want one ALARM notification, got %+v", *got)
	}
	n := (*got)[0]
	if n.Topic != alarmTopic || n.Subject != `ALARM: "pattern1-logging-alarm" in US East (N. Virginia)` {
		t.Fatalf("topic/subject: %q %q", n.Topic, n.Subject)
	}
	var msg map[string]any
	if err := json.Unmarshal([]byte(n.Message), &msg); err != nil {
		t.Fatal(err)
	}
	wantReason := "Threshold Crossed: 1 out of the last 1 datapoints [3.0 (02/01/26 03:04:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."
	for k, want := range map[string]any{
		"AlarmName": "pattern1-logging-alarm", "AlarmDescription": "Failed KMS calls", "AWSAccountId": "123456789012",
		"NewStateValue": "ALARM", "OldStateValue": "INSUFFICIENT_DATA", "NewStateReason": wantReason,
		"StateChangeTime": "2026-01-02T03:05:00.000+0000", "Region": "US East (N. Virginia)",
		"AlarmArn":                           "arn:aws:cloudwatch:us-east-1:123456789012:alarm:pattern1-logging-alarm",
		"AlarmConfigurationUpdatedTimestamp": "2026-01-02T03:04:00.000+0000",
	} {
		if msg[k] != want {
			t.Errorf("Message.%s = %v, want %v", k, msg[k], want)
		}
	}
	trig, _ := msg["Trigger"].(map[string]any)
	for k, want := range map[string]any{"MetricName": "KMSSecurityError", "Namespace": "Pattern1/KMS", "StatisticType": "Statistic",
		"Statistic": "SUM", "Unit": nil, "Period": 60.0, "EvaluationPeriods": 1.0, "DatapointsToAlarm": 1.0,
		"ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1.0, "TreatMissingData": "notBreaching",
		"EvaluateLowSampleCountPercentile": ""} {
		if trig[k] != want {
			t.Errorf("Trigger.%s = %v, want %v", k, trig[k], want)
		}
	}
	if !strings.Contains(n.Message, `"Threshold":1.0,`) || !strings.Contains(n.Message, `"Dimensions":[{"value":"task","name":"Role"}]`) {
		t.Errorf("threshold or dimensions not written as CloudWatch writes them: %s", n.Message)
	}
	// The state persists through two more breaching minutes: nothing more is published.
	put(time.Minute, 2)
	put(2*time.Minute, 2)
	e.Advance(2 * time.Minute)
	if len(*got) != 1 {
		t.Fatalf("published again while ALARM persisted: %+v", *got)
	}
	// No more data: notBreaching takes it back to OK, published once to the OK topic.
	e.Advance(3 * time.Minute)
	if len(*got) != 2 || (*got)[1].Topic != okTopic || !strings.HasPrefix((*got)[1].Subject, "OK: ") {
		t.Fatalf("want one OK notification, got %+v", *got)
	}
	if !strings.Contains((*got)[1].Message, `"NewStateReason":"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."`) {
		t.Errorf("OK reason: %s", (*got)[1].Message)
	}
	// History: creation, then two state updates and two actions.
	h, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("pattern1-logging-alarm"),
		HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
	if err != nil || len(h.AlarmHistoryItems) != 2 {
		t.Fatalf("state history: %+v %v", h, err)
	}
	var data struct {
		NewState struct{ StateValue string } `json:"newState"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(h.AlarmHistoryItems[0].HistoryData)), &data); err != nil || data.NewState.StateValue != "OK" ||
		aws.ToString(h.AlarmHistoryItems[0].HistorySummary) != "Alarm updated from ALARM to OK" {
		t.Fatalf("newest history item: %+v %v", h.AlarmHistoryItems[0], err)
	}
}

// TestCloudWatchTenSecondAlarmOnMinuteMetric is the lab's alarm: a 10 s period over the
// per-minute datapoints a metric filter writes (through e.w.Bus.PutDatum). It goes to ALARM at the
// first 10 s boundary after the minute's datapoint and, with notBreaching, back to OK once the
// datapoint leaves the 30 s evaluation range: each transition published once.
func TestCloudWatchTenSecondAlarmOnMinuteMetric(t *testing.T) {
	e := New(Options{Start: cwT0})
	got := recordPublishes(e)
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	in := alarmInput("ten")
	in.Period, in.TreatMissingData = aws.Int32(10), aws.String("notBreaching")
	in.AlarmActions, in.OKActions = []string{alarmTopic}, []string{okTopic}
	if _, err := cw.PutMetricAlarm(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.w.Bus.PutDatum(core.Datum{Namespace: "Pattern1/KMS", MetricName: "KMSSecurityError", Time: cwT0.Add(25 * time.Second), Value: 3})
	e.mu.Unlock()
	e.Advance(time.Minute)
	var seq []string
	for _, p := range *got {
		var m struct{ NewStateValue, StateChangeTime string }
		_ = json.Unmarshal([]byte(p.Message), &m)
		seq = append(seq, m.NewStateValue+"@"+m.StateChangeTime[14:19])
	}
	// The datapoint is stored at 03:04:00 (regular resolution), so the period [03:04:00, :10)
	// holds it: ALARM at the 03:04:10 boundary, OK at 03:04:40 when it leaves the 30 s range.
	if fmt.Sprint(seq) != "[ALARM@04:10 OK@04:40]" {
		t.Fatalf("transitions %v", seq)
	}
}

func TestCloudWatchActionsDisabledAndSetAlarmState(t *testing.T) {
	e := New(Options{Start: cwT0})
	got := recordPublishes(e)
	cw := cloudwatch.NewFromConfig(testConfig(t, e))
	ctx := context.Background()
	in := alarmInput("a")
	in.AlarmActions = []string{alarmTopic}
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	set := func(s cwtypes.StateValue) {
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("a"), StateValue: s, StateReason: aws.String("manual")}); err != nil {
			t.Fatal(err)
		}
	}
	set(cwtypes.StateValueAlarm)
	set(cwtypes.StateValueAlarm) // no change: no second notification
	if len(*got) != 1 || !strings.Contains((*got)[0].Message, `"NewStateReason":"manual"`) {
		t.Fatalf("SetAlarmState notifications: %+v", *got)
	}
	if _, err := cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{"a", "unknown"}}); err != nil {
		t.Fatal(err)
	}
	set(cwtypes.StateValueOk)
	set(cwtypes.StateValueAlarm)
	if len(*got) != 1 {
		t.Fatalf("published with actions disabled: %+v", *got)
	}
	if a := describeOne(t, cw, "a"); aws.ToBool(a.ActionsEnabled) || a.StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("after DisableAlarmActions: %+v", a)
	}
	if _, err := cw.EnableAlarmActions(ctx, &cloudwatch.EnableAlarmActionsInput{AlarmNames: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	set(cwtypes.StateValueOk)
	set(cwtypes.StateValueAlarm)
	if len(*got) != 2 {
		t.Fatalf("want a notification after EnableAlarmActions, got %+v", *got)
	}
	// Without data the next evaluation (missing) reverts the manual state to INSUFFICIENT_DATA.
	e.Advance(time.Minute)
	if a := describeOne(t, cw, "a"); a.StateValue != cwtypes.StateValueInsufficientData {
		t.Fatalf("manual state not reverted by evaluation: %s", a.StateValue)
	}
}

func TestCloudWatchPercentileAlarms(t *testing.T) {
	cases := []struct {
		name, stat, lowSample string
		want                  cwtypes.StateValue
	}{
		{"p50 of 1,2,3,4,100 is 3", "p50", "", "ALARM"},
		{"p99 with 5 samples, evaluate", "p99", "evaluate", "ALARM"},
		{"p99 with 5 samples, ignore keeps the state", "p99", "ignore", "INSUFFICIENT_DATA"},
		{"tm80 drops the 100", "tm80", "", "OK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{Start: cwT0})
			recordPublishes(e)
			cw := cloudwatch.NewFromConfig(testConfig(t, e))
			in := alarmInput("p")
			in.Statistic, in.ExtendedStatistic = "", aws.String(tc.stat)
			in.ComparisonOperator, in.Threshold = cwtypes.ComparisonOperatorGreaterThanThreshold, aws.Float64(2.5)
			if tc.lowSample != "" {
				in.EvaluateLowSampleCountPercentile = aws.String(tc.lowSample)
			}
			if _, err := cw.PutMetricAlarm(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			putPoints(t, cw, point{0, 1}, point{0, 2}, point{0, 3}, point{0, 4}, point{0, 100})
			e.Advance(time.Minute)
			if a := describeOne(t, cw, "p"); a.StateValue != tc.want || aws.ToString(a.ExtendedStatistic) != tc.stat {
				t.Fatalf("state %s (%s), want %s", a.StateValue, aws.ToString(a.StateReason), tc.want)
			}
		})
	}
}
