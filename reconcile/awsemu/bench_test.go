package awsemu

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
)

// benchAlarmInput is a lab-like alarm: dimensions, actions on two states, two tags.
func benchAlarmInput(i int) *cloudwatch.PutMetricAlarmInput {
	in := alarmInput(fmt.Sprintf("kmswatch-alarm-%05d", i))
	in.AlarmDescription = aws.String("Failed KMS calls made by the application's task role")
	in.Dimensions = []cwtypes.Dimension{{Name: aws.String("Role"), Value: aws.String(fmt.Sprintf("task-%d", i))}}
	in.AlarmActions = []string{"arn:aws:sns:us-east-1:123456789012:pattern1-logging-topic"}
	in.OKActions = []string{"arn:aws:sns:us-east-1:123456789012:pattern1-logging-topic"}
	in.TreatMissingData = aws.String("notBreaching")
	in.Tags = []cwtypes.Tag{{Key: aws.String("kmswatch.dev/monitor"), Value: aws.String("lab")},
		{Key: aws.String("kmswatch.dev/managed-by"), Value: aws.String("kmswatch")}}
	return in
}

// benchAlarmTree is benchAlarmInput as the generic tree a decoded request becomes.
func benchAlarmTree(i int) map[string]any {
	topic := "arn:aws:sns:us-east-1:123456789012:pattern1-logging-topic"
	return map[string]any{
		"AlarmName": fmt.Sprintf("kmswatch-alarm-%05d", i), "AlarmDescription": "Failed KMS calls made by the application's task role",
		"MetricName": "KMSSecurityError", "Namespace": "Pattern1/KMS", "Statistic": "Sum", "Period": int64(60),
		"EvaluationPeriods": int64(1), "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
		"TreatMissingData": "notBreaching", "AlarmActions": []any{topic}, "OKActions": []any{topic},
		"Dimensions": []any{map[string]any{"Name": "Role", "Value": fmt.Sprintf("task-%d", i)}},
		"Tags": []any{map[string]any{"Key": "kmswatch.dev/monitor", "Value": "lab"},
			map[string]any{"Key": "kmswatch.dev/managed-by", "Value": "kmswatch"}},
	}
}

// BenchmarkDescribeAlarms measures DescribeAlarms through the SDK against 1,000 alarms, read in
// pages of 100 names (AlarmNames, the way a controller reads the alarms it owns). Each
// iteration is one page; alarms/s is the read throughput.
func BenchmarkDescribeAlarms(b *testing.B) {
	for _, proto := range []string{"cbor", "query", "json"} {
		b.Run(proto, func(b *testing.B) {
			e := New(Options{Start: cwT0})
			cw := cloudwatch.NewFromConfig(testConfig(b, e), cwProtocols[proto])
			ctx := context.Background()
			pages := make([][]string, 10)
			for i := 0; i < 1000; i++ {
				in := benchAlarmInput(i)
				if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
					b.Fatal(err)
				}
				pages[i/100] = append(pages[i/100], *in.AlarmName)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: pages[i%10], MaxRecords: aws.Int32(100)})
				if err != nil {
					b.Fatal(err)
				}
				if len(out.MetricAlarms) != 100 {
					b.Fatalf("page of %d alarms", len(out.MetricAlarms))
				}
			}
			b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "alarms/s")
		})
	}
}

// BenchmarkEmulatorMemory10000Alarms measures the live heap an emulator holds with 10,000
// alarms, created through dispatch — the handler path every protocol shares, without the HTTP
// round trip — as the HeapAlloc delta after GC. "alarms" counts CloudWatch's state alone (each
// alarm, its tags, its creation history item); "with-audit" also keeps the CloudTrail record
// each PutMetricAlarm call leaves in the 90-day event history, as a real account would.
func BenchmarkEmulatorMemory10000Alarms(b *testing.B) {
	for _, audit := range []bool{false, true} {
		name := "alarms"
		if audit {
			name = "with-audit"
		}
		b.Run(name, func(b *testing.B) {
			const n = 10000
			var perAlarm, total float64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				e := New(Options{Start: cwT0})
				if !audit {
					e.w.Bus.Audit = nil
				}
				for k := 0; k < n; k++ {
					c := &core.Call{Service: "cloudwatch", Op: "PutMetricAlarm", Region: "us-east-1", RequestID: "bench",
						In: benchAlarmTree(k)}
					if _, err := e.dispatch(c); err != nil {
						b.Fatal(err)
					}
				}
				e.Instruments().ResetCalls() // the call log is instrumentation, not state
				runtime.GC()
				runtime.ReadMemStats(&after)
				total = float64(after.HeapAlloc) - float64(before.HeapAlloc)
				perAlarm = total / n
				if got := len(alarmARNs(e)); got != n {
					b.Fatalf("%d alarms stored, want %d", got, n)
				}
				runtime.KeepAlive(e)
			}
			b.ReportMetric(perAlarm, "bytes/alarm")
			b.ReportMetric(total/(1<<20), "MB")
		})
	}
}

// alarmARNs lists the alarm ARNs in the tag store (every alarm has an entry).
func alarmARNs(e *Emulator) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, arn := range e.w.Tags.ARNs() {
		if strings.Contains(arn, ":alarm:") {
			out = append(out, arn)
		}
	}
	return out
}

// BenchmarkAlarmEvaluation measures one emulated minute of evaluation with 1,000 one-minute
// alarms, each with a datapoint, so every evaluation aggregates data.
func BenchmarkAlarmEvaluation(b *testing.B) {
	e := New(Options{Start: cwT0})
	e.w.Bus.Publish = func(string, string, string) error { return nil }
	for k := 0; k < 1000; k++ {
		c := &core.Call{Service: "cloudwatch", Op: "PutMetricAlarm", Region: "us-east-1", In: benchAlarmTree(k)}
		if _, err := e.dispatch(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.mu.Lock()
		for k := 0; k < 1000; k++ {
			e.w.Bus.PutDatum(core.Datum{Namespace: "Pattern1/KMS", MetricName: "KMSSecurityError", Time: e.w.Now,
				Dimensions: map[string]string{"Role": fmt.Sprintf("task-%d", k)}, Value: float64(i % 2 * 3)})
		}
		e.mu.Unlock()
		e.Advance(time.Minute)
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "evaluations/s")
}
