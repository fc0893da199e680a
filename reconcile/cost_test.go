package reconcile

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/spec"
)

// bigMonitor is one trail, one log group, three topics and n alarms spread over them. It is built
// in Go, not loaded: spec validation caps a monitor at 100 alarms (a log group holds at most 100
// metric filters in AWS), while the cost target is stated for 1,000 on one log group.
func bigMonitor(n int) []spec.Monitor {
	m := spec.Monitor{APIVersion: spec.APIVersion, Kind: spec.KindMonitor, Metadata: spec.Metadata{Name: "big"}}
	m.Spec.Trail = &spec.Trail{Name: "big-trail", S3BucketName: "bucket", CloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/r"}
	m.Spec.LogGroup = spec.LogGroup{Name: "big-lg", RetentionInDays: 30}
	for i := 0; i < 3; i++ {
		m.Spec.Topics = append(m.Spec.Topics, spec.Topic{Name: fmt.Sprintf("t%d", i), Subscriptions: []spec.Subscription{
			{Protocol: "sqs", Endpoint: fmt.Sprintf("arn:aws:sqs:ap-southeast-2:111122223333:q%d", i)}}})
	}
	for i := 0; i < n; i++ {
		th := float64(i%7 + 1)
		m.Spec.Alarms = append(m.Spec.Alarms, spec.Alarm{
			Name:          fmt.Sprintf("alarm-%04d", i),
			FilterPattern: fmt.Sprintf(`{ $.eventName = "E%d" }`, i),
			Metric:        spec.Metric{Namespace: "NS", Name: fmt.Sprintf("M%d", i)},
			Period:        spec.Duration{Duration: time.Minute},
			Threshold:     &th,
			Comparison:    "GreaterThanOrEqualToThreshold",
			AlarmActions:  []string{fmt.Sprintf("t%d", i%3)},
		})
	}
	return []spec.Monitor{m}
}

func TestNoopPassOver1000AlarmsCostsAtMost40Calls(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	ms := bigMonitor(1000)
	res := reconcile(t, c, ms, false)
	if len(res.Changes) != 1+1+3+3+2000 {
		t.Fatalf("cold pass: %d changes", len(res.Changes))
	}
	f.resetCalls()
	requireAllNoop(t, reconcile(t, c, ms, false))
	total, writes := f.callCount()
	t.Logf("no-op pass over 1,000 alarms: %d calls %v", total, f.calls)
	if total > 40 || writes != 0 {
		t.Errorf("no-op pass: %d calls (%d writes), want ≤ 40 and no write: %v", total, writes, f.calls)
	}

	// A fresh controller (kmswatch --once) pays for the ownership pages on top.
	f.resetCalls()
	requireAllNoop(t, reconcile(t, newTestController(f, Options{}), ms, false))
	total, _ = f.callCount()
	t.Logf("cold-cache no-op pass: %d calls", total)
	if f.calls["cloudwatch:ListTagsForResource"] != 0 {
		t.Errorf("owned alarms were read one by one: %v", f.calls)
	}
}

// TestNoopPassOverTenMonitorsCostsAtMost40Calls: AWS allows 100 metric filters a log group, so
// 1,000 alarms really are ten log groups; alarms and log groups are read for all monitors at once.
func TestNoopPassOverTenMonitorsCostsAtMost40Calls(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	var ms []spec.Monitor
	for i := 0; i < 10; i++ {
		m := bigMonitor(100)[0]
		m.Metadata.Name = fmt.Sprintf("m%d", i)
		m.Spec.LogGroup.Name = fmt.Sprintf("lg-%d", i)
		for j := range m.Spec.Alarms {
			m.Spec.Alarms[j].Name = fmt.Sprintf("m%d-alarm-%03d", i, j)
			if i > 0 {
				m.Spec.Alarms[j].AlarmActions = []string{f.env.topicARN(fmt.Sprintf("t%d", j%3))}
			}
		}
		if i > 0 {
			m.Spec.Trail, m.Spec.Topics = nil, nil
		}
		ms = append(ms, m)
	}
	reconcile(t, c, ms, false)
	f.resetCalls()
	requireAllNoop(t, reconcile(t, c, ms, false))
	total, writes := f.callCount()
	t.Logf("no-op pass over 10 monitors × 100 alarms: %d calls %v", total, f.calls)
	if total > 40 || writes != 0 {
		t.Errorf("no-op pass: %d calls (%d writes), want ≤ 40 and none: %v", total, writes, f.calls)
	}
}

// BenchmarkNoopPass1000 measures the controller's own CPU and allocations for a warm no-op pass
// over 1,000 alarms against the in-process fake (no network).
func BenchmarkNoopPass1000(b *testing.B) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	ms := bigMonitor(1000)
	if _, err := c.Reconcile(context.Background(), ms, false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Reconcile(context.Background(), ms, false); err != nil {
			b.Fatal(err)
		}
	}
}
