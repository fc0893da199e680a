package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
	"github.com/kmswatch/kmswatch/spec"
)

// What a pass costs in AWS calls, CPU and allocations, against the emulator: a cold converge
// (an empty account) and a no-op pass (a converged account, warm ownership cache) for 10, 120 and
// 1,000 alarms, with one trail, one log group and three topics.
//
//	go test -run '^$' -bench BenchmarkReconcile -benchtime 3x ./reconcile/
//
// ns/op (wall), cpu-ns/op (user+system), B/op and allocs/op include the in-process emulator's
// share of the work: it serves the calls in the same process.

// benchSizes are the alarm counts of the benchmark.
var benchSizes = []int{10, 120, 1000}

// scaleMonitors are n alarms with one trail, three topics and as few log groups as AWS allows: a
// log group holds at most 100 metric filters (a quota that cannot be raised), and a Monitor has
// one log group, so 1,000 alarms are ten Monitors. The first holds the trail and the topics; the
// others name the topics by ARN.
func scaleMonitors(tb testing.TB, n int) []spec.Monitor {
	tb.Helper()
	var b strings.Builder
	for m := 0; m*100 < n; m++ {
		fmt.Fprintf(&b, `---
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata:
  name: scale-%d
spec:
  logGroup:
    name: scale-logs-%d
    retentionInDays: 365
`, m, m)
		if m == 0 {
			b.WriteString(`  trail:
    name: scale-trail
    s3BucketName: scale-bucket
    cloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/CloudTrailToLogs
  topics:
    - name: scale-topic-0
      subscriptions: [{protocol: email, endpoint: secops@example.com}]
    - name: scale-topic-1
    - name: scale-topic-2
`)
		}
		b.WriteString("  alarms:\n")
		for i := m * 100; i < min(n, (m+1)*100); i++ {
			fmt.Fprintf(&b, `    - name: scale-alarm-%04d
      match: {eventSource: kms.amazonaws.com, eventNames: [Op%d], errorsOnly: true}
      metric: {namespace: KMSWatch/Scale, name: Metric%d}
      period: 5m
      threshold: %d
      comparison: GreaterThanOrEqualToThreshold
      alarmActions: [arn:aws:sns:ap-southeast-2:123456789012:scale-topic-%d]
`, i, i, i, 1+i%7, i%3)
		}
	}
	f, err := spec.LoadBytes([]byte(b.String()), "scale.yaml")
	if err != nil {
		tb.Fatalf("load the scale monitors: %v", err)
	}
	return f.Monitors
}

// benchAccount is an emulator with what the scale monitor presumes, and a controller on it.
type benchAccount struct {
	// failed counts the attempts that failed, by error code: a pass that converges may still
	// have retried one.
	failed callLog
	emu    *awsemu.Emulator
	cfg    aws.Config
	env    reconcile.Env
	ctrl   *reconcile.Controller
}

func newBenchAccount(tb testing.TB) *benchAccount {
	tb.Helper()
	e, cfg := startEmulator(tb, scenarioAccount)
	e.SeedBucket("scale-bucket")
	e.SeedRole("arn:aws:iam::123456789012:role/CloudTrailToLogs")
	env, err := reconcile.ResolveEnv(context.Background(), cfg, scenarioAccount)
	if err != nil {
		tb.Fatalf("resolve env: %v", err)
	}
	ba := &benchAccount{emu: e, cfg: cfg, env: env}
	ba.ctrl = reconcile.NewController(ba.clients(), env, logr.Discard(), reconcile.Options{})
	return ba
}

// clients are the controller's clients; Result.Calls counts their calls per pass.
func (ba *benchAccount) clients() awsclient.Clients {
	return awsclient.New(ba.cfg, awsclient.Options{OnCall: func(service, op, code string, _ time.Duration) {
		if code != "" {
			ba.failed.add(service, op+" "+code, code) // key "service:Op Code"
		}
	}})
}

// pass runs one real pass that must leave the account in sync; it returns the calls it made.
func (ba *benchAccount) pass(tb testing.TB, ms []spec.Monitor) *reconcile.Result {
	res, err := ba.ctrl.Reconcile(context.Background(), ms, false)
	if code := reconcile.Classify(res, err, false); code != reconcile.OutcomeInSync {
		tb.Fatalf("pass: exit %d: %v", code, err)
	}
	return res
}

func totalCalls(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

func BenchmarkReconcile(b *testing.B) {
	for _, n := range benchSizes {
		ms := scaleMonitors(b, n)
		b.Run(fmt.Sprintf("alarms=%d/cold", n), func(b *testing.B) {
			b.ReportAllocs()
			calls, writes, iters := 0, 0, 0
			var cpu time.Duration
			for b.Loop() {
				iters++
				b.StopTimer()
				ba := newBenchAccount(b)
				b.StartTimer()
				before := cpuTime(b)
				res := ba.pass(b, ms)
				cpu += cpuTime(b) - before
				calls += totalCalls(res.Calls)
				writes += awsop.Writes(res.Calls)
			}
			b.ReportMetric(float64(calls)/float64(iters), "calls/op")
			b.ReportMetric(float64(writes)/float64(iters), "writes/op")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(iters), "cpu-ns/op")
		})
		b.Run(fmt.Sprintf("alarms=%d/noop", n), func(b *testing.B) {
			ba := newBenchAccount(b)
			ba.pass(b, ms)
			b.ReportAllocs()
			calls, iters := 0, 0
			var cpu time.Duration
			for b.Loop() {
				iters++
				before := cpuTime(b)
				res := ba.pass(b, ms)
				cpu += cpuTime(b) - before
				if w := awsop.Writes(res.Calls); w != 0 {
					b.Fatalf("a no-op pass made %d writes", w)
				}
				calls += totalCalls(res.Calls)
			}
			b.ReportMetric(float64(calls)/float64(iters), "calls/op")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(iters), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far (controller, SDK and the in-process
// emulator together).
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestNoopPassCost: on a converged account with 1,000 alarms (one trail, one log group, three
// topics), a pass in which nothing changed takes at most 40 AWS calls and writes nothing — also
// after the ownership cache expires and is reloaded in bulk. The bound is the design's; peers make
// about 3 calls per alarm.
func TestNoopPassCost(t *testing.T) {
	t.Parallel()
	ms := scaleMonitors(t, 1000)
	ba := newBenchAccount(t)
	cold := ba.pass(t, ms)
	before := ba.failed.snapshot()
	warm := ba.pass(t, ms)
	// Result.Calls counts attempts. An attempt the SDK retried after a transport failure is not a
	// call the design makes; anything else failing in a no-op pass is an error. (A 41st attempt
	// was seen once in about twenty -race runs on a loaded 2-core machine, before the failed
	// attempts were logged here; its cause is unknown.)
	retried := 0
	for k, n := range callsDiff(before, ba.failed.snapshot()) {
		t.Logf("%d failed attempts of %s", n, k)
		if !strings.HasSuffix(k, " RequestError") {
			t.Errorf("a no-op pass failed: %s", k)
		}
		retried += n
	}
	t.Logf("1,000 alarms: cold converge %d calls (%d writes), no-op pass %d calls: %v",
		totalCalls(cold.Calls), awsop.Writes(cold.Calls), totalCalls(warm.Calls), warm.Calls)
	if n := totalCalls(warm.Calls) - retried; n > 40 {
		t.Errorf("a no-op pass over 1,000 alarms made %d calls, want at most 40: %v", n, warm.Calls)
	}
	if w := awsop.Writes(warm.Calls); w != 0 {
		t.Errorf("a no-op pass made %d writes", w)
	}
	for _, c := range warm.Changes {
		if c.Action != reconcile.ActionNoop {
			t.Fatalf("%s: %s, want unchanged", c.ID, c.Action)
		}
	}
	// A new process: cold ownership cache, read in bulk (the tagging API, 100 a page).
	fresh := reconcile.NewController(ba.clients(), ba.env, logr.Discard(), reconcile.Options{})
	res, err := fresh.Reconcile(context.Background(), ms, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("no-op pass of a new process: %d calls: %v", totalCalls(res.Calls), res.Calls)
	if n := totalCalls(res.Calls); n > 60 {
		t.Errorf("a new process's no-op pass over 1,000 alarms made %d calls, want at most 60 (bulk ownership reads)", n)
	}
	if w := awsop.Writes(res.Calls); w != 0 {
		t.Errorf("a new process's no-op pass made %d writes", w)
	}
	for _, op := range []string{"cloudwatch:ListTagsForResource", "logs:ListTagsForResource", "sns:ListTagsForResource"} {
		if n := res.Calls[op]; n != 0 {
			t.Errorf("a new process read owned resources' tags one by one: %s ×%d", op, n)
		}
	}
}
