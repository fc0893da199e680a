package daemon

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
	"github.com/kmswatch/kmswatch/spec"
)

// What N replicas cost: N daemons with the real controller and real electors, each with its own
// access key, against one emulated account holding the lab (examples/monitor.yaml), in process.
// The calls of a measuring window are read from the emulator's call log and put per --interval.

const (
	replicaInterval = 500 * time.Millisecond
	replicaLease    = 3 * time.Second
	labAccount      = "111122223333"
)

// replicaCost is what a fleet called during a window, per --interval.
type replicaCost struct {
	replicas  int
	lease     bool
	intervals float64
	passes    int // no-op passes: one DescribeAlarms each for the lab
	// controller and leaseCalls are the calls of the window; controllerKeys the access keys
	// that made the controller's.
	controller, leaseCalls int
	controllerKeys         map[string]int
	leaseByKey             map[string]int
}

func (c replicaCost) String() string {
	per := func(n int) float64 { return float64(n) / c.intervals }
	lease := "no lease"
	if c.lease {
		lease = "lease"
	}
	return fmt.Sprintf("%2d replica(s), %-8s  passes/interval %.2f  controller calls/interval %5.2f  lease calls/interval %5.2f  total/interval %5.2f",
		c.replicas, lease, per(c.passes), per(c.controller), per(c.leaseCalls), per(c.controller+c.leaseCalls))
}

// measureReplicas runs n daemons (with a lease when withLease) on the converged lab for window,
// after a warm-up that lets the leader's first passes (which read ownership in bulk) go by.
func measureReplicas(tb testing.TB, n int, withLease bool, window time.Duration) replicaCost {
	tb.Helper()
	e := awsemu.New(awsemu.Options{Region: "ap-southeast-2", AccountID: labAccount})
	e.SeedBucket("pattern1-trail-bucket")
	e.SeedRole("arn:aws:iam::" + labAccount + ":role/CloudTrailToLogs")
	e.SeedBucket(testLease.Bucket)
	data, err := os.ReadFile("../../examples/monitor.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for i := 0; i < n; i++ {
		d := newLabReplica(tb, e, fmt.Sprintf("AKIAREPLICA%02d", i), data, withLease)
		wg.Add(1)
		go func() { defer wg.Done(); _ = d.Run(ctx) }()
	}
	time.Sleep(4 * replicaInterval) // the first pass converges, the next ones warm the caches
	from := len(e.Instruments().CallLog())
	start := time.Now()
	time.Sleep(window)
	log := e.Instruments().CallLog()[from:]
	c := replicaCost{replicas: n, lease: withLease, intervals: float64(time.Since(start)) / float64(replicaInterval),
		controllerKeys: map[string]int{}, leaseByKey: map[string]int{}}
	for _, r := range log {
		switch {
		case r.Service == "s3":
			c.leaseCalls++
			c.leaseByKey[r.AccessKey]++
		default:
			c.controller++
			c.controllerKeys[r.AccessKey]++
			if r.Op == "DescribeAlarms" {
				c.passes++
			}
		}
	}
	return c
}

// newLabReplica is one kmswatch as cmd/kmswatch wires it: the controller's clients gated by the
// lease's Guard, and the lease's own S3 client.
func newLabReplica(tb testing.TB, e *awsemu.Emulator, key string, data []byte, withLease bool) *Daemon {
	tb.Helper()
	cfg := aws.Config{Region: "ap-southeast-2", BaseEndpoint: aws.String("http://awsemu.invalid"), HTTPClient: awsemu.InProcessClient(e),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: "x"}, nil
		})}
	var el *lease.Elector
	opts := awsclient.Options{}
	if withLease {
		var err error
		el, err = lease.New(lease.Config{Client: awsclient.NewS3(cfg, awsclient.Options{}), Lease: testLease, Duration: replicaLease,
			Identity: lease.Identity{Host: key}})
		if err != nil {
			tb.Fatal(err)
		}
		opts.WriteGate = func(ctx context.Context, _, _ string) (context.Context, context.CancelFunc, error) {
			return el.Guard(ctx)
		}
	}
	env, err := reconcile.ResolveEnv(context.Background(), cfg, labAccount)
	if err != nil {
		tb.Fatal(err)
	}
	ctrl := reconcile.NewController(awsclient.New(cfg, opts), env, logr.Discard(), reconcile.Options{})
	d, err := New(Options{Source: staticSource{data}, Reconciler: ctrl, Interval: replicaInterval, Lease: el,
		Load: func(b []byte, name string) (Spec, error) {
			f, err := spec.LoadBytes(b, name)
			if err != nil {
				return Spec{}, err
			}
			return Spec{Monitors: f.Monitors}, nil
		}})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestReplicaCostIsSingleInstancePlusLease: with a lease, N replicas call AWS exactly as one
// instance without a lease does — the same calls per pass, all made by the leader — plus the
// lease's calls: the leader's renewals (one a third of the lease duration) and each standby's
// conditional polls (one every third of the duration, spread by up to a fifth).
func TestReplicaCostIsSingleInstancePlusLease(t *testing.T) {
	if testing.Short() {
		t.Skip("runs daemons for seconds")
	}
	const window = 4 * time.Second
	single := measureReplicas(t, 1, false, window)
	if single.passes == 0 || single.controller%single.passes != 0 || single.leaseCalls != 0 {
		t.Fatalf("single instance: %v (%d calls over %d passes: not a whole number per pass)", single, single.controller, single.passes)
	}
	perPass := single.controller / single.passes
	t.Log(single)
	for _, n := range []int{3, 10} {
		fleet := measureReplicas(t, n, true, window)
		t.Log(fleet)
		if len(fleet.controllerKeys) != 1 {
			t.Errorf("%d replicas: the controller's calls came from %d access keys, want the leader's alone: %v", n, len(fleet.controllerKeys), fleet.controllerKeys)
		}
		if fleet.passes == 0 || fleet.controller != fleet.passes*perPass {
			t.Errorf("%d replicas: %d controller calls over %d passes, want %d a pass as one instance makes", n, fleet.controller, fleet.passes, perPass)
		}
		// The lease: a leader renews every duration/3; a standby polls every duration/3 to
		// duration/3 × 1.2. One call more or less for where the window cuts.
		steps := float64(window) / float64(replicaLease/3)
		if len(fleet.leaseByKey) != n {
			t.Errorf("%d replicas: lease calls from %d access keys", n, len(fleet.leaseByKey))
		}
		for key, got := range fleet.leaseByKey {
			lo, hi := steps/1.2-1, steps+1
			if fleet.controllerKeys[key] > 0 {
				lo = steps - 1 // the leader renews on schedule
			}
			if float64(got) < lo || float64(got) > hi {
				t.Errorf("%d replicas: %s made %d lease calls in %v, want %.1f to %.1f", n, key, got, window, lo, hi)
			}
		}
	}
}

// BenchmarkReplicas prints the AWS calls per --interval of N replicas (N = 1, 3, 10) on the
// converged lab: go test -run '^$' -bench Replicas ./reconcile/daemon/. Each run measures a
// window of real time, whatever b.N.
func BenchmarkReplicas(b *testing.B) {
	for _, c := range []struct {
		n     int
		lease bool
	}{{1, false}, {1, true}, {3, true}, {10, true}} {
		b.Run(fmt.Sprintf("N=%d/lease=%v", c.n, c.lease), func(b *testing.B) {
			cost := measureReplicas(b, c.n, c.lease, 5*time.Second)
			b.ReportMetric(float64(cost.controller)/cost.intervals, "controller-calls/interval")
			b.ReportMetric(float64(cost.leaseCalls)/cost.intervals, "lease-calls/interval")
			b.ReportMetric(float64(cost.controller+cost.leaseCalls)/cost.intervals, "calls/interval")
			fmt.Fprintln(os.Stdout, strings.TrimSpace(cost.String()))
		})
	}
}

// staticSource is a spec that never changes.
type staticSource struct{ data []byte }

func (s staticSource) Location() string { return "examples/monitor.yaml" }

func (s staticSource) Fetch(context.Context) (*specsource.Snapshot, error) {
	return &specsource.Snapshot{Data: s.data, Version: specsource.Version{SHA256: "lab"}}, nil
}

func (s staticSource) Poll(context.Context, specsource.Version) (*specsource.Snapshot, error) {
	return nil, nil
}

// TestLeaderThatCannotRenewStopsWriting: the real controller behind the lease's write gate. A
// leader whose renewals fail (S3 answers 500 to every PutObject) stops leading at its renew
// deadline: from then on it makes no AWS call at all, and drift stays unrepaired, until it can
// renew again and repairs it at once.
func TestLeaderThatCannotRenewStopsWriting(t *testing.T) {
	e := awsemu.New(awsemu.Options{Region: "ap-southeast-2", AccountID: labAccount})
	e.SeedBucket("pattern1-trail-bucket")
	e.SeedRole("arn:aws:iam::" + labAccount + ":role/CloudTrailToLogs")
	e.SeedBucket(testLease.Bucket)
	data, err := os.ReadFile("../../examples/monitor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const key = "AKIALEADER"
	d := newLabReplica(t, e, key, data, true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	cw := labCloudWatch(e)
	eventually(t, 10*time.Second, "converged", func() bool { return labThreshold(t, cw) == 1 })

	remove := e.Instruments().InjectFault(awsemu.Fault{Service: "s3", Op: "PutObject", Kind: awsemu.ServerError})
	failing := time.Now()
	eventually(t, replicaLease, "the leader stops leading at its renew deadline", func() bool { return d.Leadership().Check() != nil })
	t.Logf("stopped leading %v after renewals began to fail (renew deadline %v)", time.Since(failing).Round(time.Millisecond), replicaLease*2/3)
	from := len(e.Instruments().CallLog())
	setLabThreshold(t, cw, 100)
	time.Sleep(4 * replicaInterval)
	for _, r := range e.Instruments().CallLog()[from:] {
		if r.AccessKey == key && r.Service != "s3" {
			t.Errorf("a leader past its renew deadline called %s:%s", r.Service, r.Op)
		}
	}
	if v := labThreshold(t, cw); v != 100 {
		t.Fatalf("threshold %v: something wrote while the leader could not renew", v)
	}
	remove()
	eventually(t, replicaLease, "leading again, the drift repaired", func() bool { return labThreshold(t, cw) == 1 })
}

func labCloudWatch(e *awsemu.Emulator) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(aws.Config{Region: "ap-southeast-2", BaseEndpoint: aws.String("http://awsemu.invalid"), HTTPClient: awsemu.InProcessClient(e),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIAOPERATOR", SecretAccessKey: "x"}, nil
		})})
}

func labThreshold(t *testing.T, cw *cloudwatch.Client) float64 {
	t.Helper()
	out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"pattern1-logging-alarm"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) == 0 {
		return -1
	}
	return aws.ToFloat64(out.MetricAlarms[0].Threshold)
}

func setLabThreshold(t *testing.T, cw *cloudwatch.Client, v float64) {
	t.Helper()
	out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"pattern1-logging-alarm"}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("describe alarm: %v", err)
	}
	a := out.MetricAlarms[0]
	_, err = cw.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{
		AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, ActionsEnabled: a.ActionsEnabled,
		AlarmActions: a.AlarmActions, MetricName: a.MetricName, Namespace: a.Namespace, Statistic: a.Statistic,
		Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm,
		Threshold: aws.Float64(v), ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData,
	})
	if err != nil {
		t.Fatal(err)
	}
}
