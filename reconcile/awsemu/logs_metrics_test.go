package awsemu

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// logsDatumRecorder taps e.w.Bus.PutDatum (keeping whatever CloudWatch hook is there) and returns a
// function listing what metric filters emitted so far, one line per datapoint, under the
// emulator's lock. CloudWatch Logs' own AWS/Logs metrics are left out (TestLogsIncomingMetrics).
func logsDatumRecorder(e *Emulator) func() []string {
	var got []string
	e.mu.Lock()
	prev := e.w.Bus.PutDatum
	e.w.Bus.PutDatum = func(d core.Datum) {
		if d.Namespace == "AWS/Logs" {
			if prev != nil {
				prev(d)
			}
			return
		}
		var dims []string
		for k, v := range d.Dimensions {
			dims = append(dims, k+"="+v)
		}
		sort.Strings(dims)
		got = append(got, fmt.Sprintf("%s/%s %s %g%s %s", d.Namespace, d.MetricName, d.Time.Format("15:04:05.000"), d.Value,
			map[bool]string{true: " " + d.Unit, false: ""}[d.Unit != ""], strings.Join(dims, ",")))
		if prev != nil {
			prev(d)
		}
	}
	e.mu.Unlock()
	return func() []string {
		e.mu.Lock()
		defer e.mu.Unlock()
		return append([]string(nil), got...)
	}
}

func TestLogsMetricFiltersEmitDatapoints(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	rec := logsDatumRecorder(e)
	logsCreateGroup(t, logs, "g")
	logsCreateStream(t, logs, "g", "s")
	logsPutFilter(t, logs, "g", "errors", `{ $.errorCode = "*" }`, &logstypes.MetricTransformation{MetricName: aws.String("Errors"),
		MetricNamespace: aws.String("NS"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)})
	logsPutFilter(t, logs, "g", "latency", `{ $.latency > 0 }`, &logstypes.MetricTransformation{MetricName: aws.String("Latency"),
		MetricNamespace: aws.String("NS"), MetricValue: aws.String("$.latency"), Unit: logstypes.StandardUnitMilliseconds,
		Dimensions: map[string]string{"Op": "$.op"}})
	logsPutFilter(t, logs, "g", "bytes", `[ip, status=4*, bytes]`, &logstypes.MetricTransformation{MetricName: aws.String("Bytes"),
		MetricNamespace: aws.String("NS"), MetricValue: aws.String("$bytes"), Dimensions: map[string]string{"Status": "$status"}})

	t0 := e.Now() // 05:06:00
	logsPutEvents(t, logs, "g", "s", t0.Add(10*time.Second),
		`{"errorCode":"AccessDenied","op":"Decrypt"}`,
		`{"latency":12.5,"op":"Decrypt"}`,
		`{"latency":"slow","op":"Decrypt"}`, // not a number: matches nothing numeric
		`1.2.3.4 404 512`,
		`1.2.3.4 200 512`)
	want := []string{
		"NS/Errors 05:06:10.000 1 ",
		"NS/Latency 05:06:10.001 12.5 Milliseconds Op=Decrypt",
		"NS/Bytes 05:06:10.003 512 Status=404",
	}
	if got := rec(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("datapoints at ingestion:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Minute 05:07 has events but no error: once the minute is over, Errors reports its
	// defaultValue 0 at 05:07:00. The minute 05:06 had a match, so no default for it. Latency and
	// Bytes have no defaultValue. Minute 05:08 has no events at all: nothing.
	e.Advance(time.Minute)
	logsPutEvents(t, logs, "g", "s", e.Now().Add(5*time.Second), `{"latency":3,"op":"Encrypt"}`)
	e.Advance(3 * time.Minute)
	want = append(want,
		"NS/Latency 05:07:05.000 3 Milliseconds Op=Encrypt",
		"NS/Errors 05:07:00.000 0 ",
	)
	if got := rec(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("datapoints after the minutes closed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A filter created after a minute's events does not report a default for that minute; a
	// minute that is still open reports nothing yet.
	logsPutEvents(t, logs, "g", "s", e.Now().Add(time.Second), `plain text`)
	logsPutFilter(t, logs, "g", "late", `NOPE`, &logstypes.MetricTransformation{MetricName: aws.String("Late"),
		MetricNamespace: aws.String("NS"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(7)})
	if got := rec(); len(got) != len(want) {
		t.Fatalf("an open minute reported: %v", got[len(want):])
	}
	e.Advance(2 * time.Minute)
	want = append(want, "NS/Errors 05:10:00.000 0 ")
	if got := rec(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after the late filter:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	logsPutEvents(t, logs, "g", "s", e.Now(), `still plain`)
	e.Advance(time.Minute)
	want = append(want, "NS/Errors 05:12:00.000 0 ", "NS/Late 05:12:00.000 7 ")
	if got := rec(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("late filter's default:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLogsDeliverThroughBus(t *testing.T) {
	e, cfg := logsEnv(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	rec := logsDatumRecorder(e)
	logsCreateGroup(t, logs, "trail-group")
	logsPutFilter(t, logs, "trail-group", "kms", `{ $.eventSource = kms.amazonaws.com }`, nil)
	at := e.Now().Add(-30 * time.Second)
	e.mu.Lock()
	err := e.w.Bus.PutLogEvents("arn:aws:logs:us-east-1:123456789012:log-group:trail-group:*", "123456789012_CloudTrail_us-east-1",
		[]core.LogEvent{{Time: at, Message: `{"eventSource":"kms.amazonaws.com"}`}, {Time: at, Message: `{"eventSource":"sns.amazonaws.com"}`}})
	missing := e.w.Bus.PutLogEvents("no-such-group", "s", []core.LogEvent{{Time: at, Message: "x"}})
	e.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if missing == nil {
		t.Fatal("delivery to a missing group succeeded")
	}
	out, err := logs.GetLogEvents(t.Context(), &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("trail-group"),
		LogStreamName: aws.String("123456789012_CloudTrail_us-east-1"), StartFromHead: aws.Bool(true)})
	if err != nil || len(out.Events) != 2 {
		t.Fatalf("delivered events: %v %+v", err, out)
	}
	if got := rec(); len(got) != 1 || got[0] != "NS/kms 05:05:30.000 1 " {
		t.Fatalf("datapoints %v", got)
	}
}
