package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
	"github.com/kmswatch/kmswatch/spec"
)

// beatingAccount is a fakeAccount that also makes heartbeats, recording them; its passes judge
// every Monitor's pipeline as report says.
type beatingAccount struct {
	*fakeAccount
	mu     sync.Mutex
	beats  []time.Time
	err    error
	report pipeline.Report
}

func (b *beatingAccount) Heartbeat(_ context.Context, ms []spec.Monitor) ([]reconcile.Heartbeat, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.beats = append(b.beats, time.Now())
	var names []string
	for _, m := range ms {
		if m.Spec.Heartbeat != nil {
			names = append(names, m.Metadata.Name)
		}
	}
	return []reconcile.Heartbeat{{Region: "us-east-1", Monitors: names, At: time.Now(), Err: b.err}}, b.err
}

func (b *beatingAccount) Reconcile(ctx context.Context, ms []spec.Monitor, dryRun bool) (*reconcile.Result, error) {
	res, err := b.fakeAccount.Reconcile(ctx, ms, dryRun)
	if res != nil && b.report.Monitor != "" {
		res.Pipelines = []pipeline.Report{b.report}
	}
	return res, err
}

func (b *beatingAccount) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.beats)
}

const heartbeatSpec = `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: hb}
spec:
  logGroup: {name: lg}
  heartbeat: {every: 5m}
`

// TestHeartbeatScheduledApartFromPasses: the daemon heartbeats on its own period while passes
// wait for their interval; a standby (another process holds the lease) and a dry run never
// heartbeat, and neither does a spec without spec.heartbeat.
func TestHeartbeatScheduledApartFromPasses(t *testing.T) {
	cases := []struct {
		name    string
		content string
		tweak   func(*testing.T, *Options)
		want    bool
	}{
		{"leader", heartbeatSpec, nil, true},
		{"standby", heartbeatSpec, func(t *testing.T, o *Options) { o.Lease = leaseHeldElsewhere(t, o.Log) }, false},
		{"dry run", heartbeatSpec, func(_ *testing.T, o *Options) { o.DryRun = true }, false},
		{"no spec.heartbeat", strings.Replace(heartbeatSpec, "  heartbeat: {every: 5m}\n", "", 1), nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			acct := &beatingAccount{fakeAccount: newFakeAccount()}
			h := startDaemonOn(t, acct.fakeAccount, tc.content, func(o *Options) {
				o.Reconciler = acct
				o.HeartbeatEvery = 40 * time.Millisecond
				if tc.tweak != nil {
					tc.tweak(t, o)
				}
			})
			if tc.name == "standby" { // a standby runs no pass: wait until it knows it stands by
				eventually(t, 5*time.Second, "standing by", func() bool { st := h.d.Status().Lease; return st != nil && st.Role == lease.RoleStandby })
			} else {
				eventually(t, 5*time.Second, "the first pass", func() bool { return acct.passCount() >= 1 })
			}
			time.Sleep(500 * time.Millisecond)
			got := acct.count()
			if !tc.want {
				if got != 0 {
					t.Fatalf("%d heartbeats, want none", got)
				}
				return
			}
			// At most 500ms/40ms heartbeats; on a loaded machine fewer, but several.
			if got < 3 || got > 14 {
				t.Fatalf("%d heartbeats in about 500ms at a 40ms period", got)
			}
			if n := acct.passCount(); n != 1 {
				t.Errorf("%d passes: heartbeats must not run passes", n)
			}
			_ = h
		})
	}
}

// TestOnceHeartbeats: --once makes one heartbeat after its pass; a failed heartbeat is the pass's
// error (exit 1) and shows on the Monitor's pipeline; --once --dry-run makes none.
func TestOnceHeartbeats(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dry     bool
		hbErr   error
		beats   int
		wantErr bool
	}{
		{"once", false, nil, 1, false},
		{"heartbeat denied", false, errors.New("heartbeat kms:ListAliases in us-east-1: AccessDeniedException: no"), 1, true},
		{"dry run", true, nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acct := &beatingAccount{fakeAccount: newFakeAccount(), err: tc.hbErr,
				report: pipeline.Report{Monitor: "hb", Status: pipeline.StatusUnknown, Heartbeat: &pipeline.Heartbeat{Alarm: "hb-heartbeat", State: pipeline.HeartbeatNotArmed}}}
			h := &harness{t: t, dir: t.TempDir(), account: acct.fakeAccount}
			h.path = h.dir + "/monitor.yaml"
			h.write(heartbeatSpec)
			d, err := New(Options{SpecPath: h.path, Load: loadTestSpec, Reconciler: acct, DryRun: tc.dry})
			if err != nil {
				t.Fatal(err)
			}
			res, err := d.Once(context.Background())
			if (err != nil) != tc.wantErr || acct.count() != tc.beats {
				t.Fatalf("err %v, %d heartbeats; want error %v, %d", err, acct.count(), tc.wantErr, tc.beats)
			}
			hb := res.Pipelines[0].Heartbeat
			switch {
			case tc.beats == 0 && hb.LastSent != nil:
				t.Errorf("a dry run reports a heartbeat sent")
			case tc.beats == 1 && hb.LastSent == nil:
				t.Errorf("the heartbeat is not on the pipeline: %+v", hb)
			case tc.wantErr && !strings.Contains(hb.SendError, "AccessDeniedException"):
				t.Errorf("send error %q", hb.SendError)
			}
		})
	}
}

// TestStatusAndMetricsShowThePipeline: /status has a pipeline object per Monitor, with the
// heartbeat this instance made; /metrics has kmswatch_pipeline_live and the last event's age.
func TestStatusAndMetricsShowThePipeline(t *testing.T) {
	last := time.Now().Add(-3 * time.Minute)
	acct := &beatingAccount{fakeAccount: newFakeAccount(), report: pipeline.Report{Monitor: "hb", Status: pipeline.StatusBroken, LastEvent: &last,
		Heartbeat: &pipeline.Heartbeat{Alarm: "hb-heartbeat", State: "ALARM"},
		Problems:  []pipeline.Problem{{ID: "Trail/t", Field: "LatestCloudWatchLogsDeliveryError", Error: "AccessDeniedException: verbatim", Fix: "fix the role", Broken: true}}}}
	h := startDaemonOn(t, acct.fakeAccount, heartbeatSpec, func(o *Options) { o.Reconciler = acct })
	eventually(t, 5*time.Second, "a pass and a heartbeat", func() bool { return acct.count() >= 1 && h.d.Status().Ready })
	srv := httptest.NewServer(h.d.Handler())
	defer srv.Close()
	var st struct {
		Pipeline map[string]struct {
			Status    string
			Heartbeat struct {
				State    string
				LastSent *time.Time
			}
			Problems []struct{ ID, Field, Error string }
		}
	}
	_, body := get(t, srv.URL+"/status")
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	p, ok := st.Pipeline["hb"]
	if !ok || p.Status != "broken" || p.Heartbeat.State != "ALARM" || p.Heartbeat.LastSent == nil || len(p.Problems) != 1 || p.Problems[0].Error != "AccessDeniedException: verbatim" {
		t.Fatalf("/status pipeline: %s", body)
	}
	_, metrics := get(t, srv.URL+"/metrics")
	for _, want := range []string{`kmswatch_pipeline_live{monitor="hb"} 0`, `kmswatch_pipeline_last_event_age_seconds{monitor="hb"} 1`, `kmswatch_heartbeats_total{result="success"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The delivery error is logged verbatim, as a warning and on the pipeline's line.
	logs := h.logs.String()
	if !strings.Contains(logs, `"pipeline broken"`) || !strings.Contains(logs, "AccessDeniedException: verbatim") {
		t.Errorf("logs lack the broken pipeline:\n%s", logs)
	}
}

// leaseHeldElsewhere is an elector for a lease that another process already holds (and keeps
// renewing until the test ends): the daemon given it stands by.
func leaseHeldElsewhere(t *testing.T, log logr.Logger) *lease.Elector {
	t.Helper()
	e := awsemu.New(awsemu.Options{})
	e.SeedBucket(testLease.Bucket)
	elector := func(host string) *lease.Elector {
		cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://awsemu.invalid"), HTTPClient: awsemu.InProcessClient(e),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKID" + strings.ToUpper(host), SecretAccessKey: "x"}, nil
			})}
		el, err := lease.New(lease.Config{Client: awsclient.NewS3(cfg, awsclient.Options{}), Lease: testLease, Duration: 5 * time.Second,
			Identity: lease.Identity{Host: host}, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		return el
	}
	holder := elector("other")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go holder.Run(ctx)
	eventually(t, 5*time.Second, "the other process leads", func() bool { return holder.Status().Role == lease.RoleLeader })
	return elector("me")
}
