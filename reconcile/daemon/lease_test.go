package daemon

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
)

var testLease = s3object.Location{Bucket: "kmswatch-state", Key: "prod/lease.json"}

// replica is one daemon of a fleet sharing a lease in the emulator's S3.
type replica struct {
	*harness
	elector *lease.Elector
	srv     *httptest.Server
}

// startReplica runs a daemon on content with a lease of duration d in e's S3.
func startReplica(t *testing.T, e *awsemu.Emulator, name, content string, d time.Duration) *replica {
	t.Helper()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://awsemu.invalid"), HTTPClient: awsemu.InProcessClient(e),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID" + strings.ToUpper(name), SecretAccessKey: "x"}, nil
		})}
	r := &replica{}
	r.harness = startDaemon(t, content, func(o *Options) {
		var err error
		r.elector, err = lease.New(lease.Config{Client: awsclient.NewS3(cfg, awsclient.Options{}), Lease: testLease, Duration: d,
			Identity: lease.Identity{Host: name}, Log: o.Log})
		if err != nil {
			t.Fatal(err)
		}
		o.Lease = r.elector
		o.Interval = 100 * time.Millisecond
	})
	r.srv = httptest.NewServer(r.d.Handler())
	t.Cleanup(r.srv.Close)
	return r
}

func (r *replica) role() string {
	if st := r.d.Status().Lease; st != nil {
		return st.Role
	}
	return ""
}

func (r *replica) leaderMetric(t *testing.T) string {
	_, body := get(t, r.srv.URL+"/metrics")
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "kmswatch_leader ") {
			return strings.TrimPrefix(l, "kmswatch_leader ")
		}
	}
	return "absent"
}

// Two daemons, one lease: one leads and runs passes; the other runs none, is ready, says who
// leads and what spec it applies, and warns that it is not its own; on shutdown the leader
// releases, and the standby leads within a poll and runs its first pass at once.
func TestLeaseOneLeaderStandbyRunsNoPass(t *testing.T) {
	const d = 900 * time.Millisecond
	e := awsemu.New(awsemu.Options{})
	e.SeedBucket(testLease.Bucket)
	a := startReplica(t, e, "a", specYAML("m", "a=1"), d)
	eventually(t, 5*time.Second, "a leads and passes", func() bool { return a.role() == lease.RoleLeader && a.account.passCount() > 0 })
	b := startReplica(t, e, "b", specYAML("m", "a=5"), d)
	eventually(t, 5*time.Second, "b stands by, ready", func() bool { return b.role() == lease.RoleStandby && b.d.Status().Ready })
	time.Sleep(2 * d)
	if n := b.account.passCount(); n != 0 {
		t.Fatalf("the standby ran %d passes", n)
	}
	if code, _ := get(t, b.srv.URL+"/readyz"); code != 200 {
		t.Errorf("standby /readyz = %d, want 200", code)
	}
	if a.leaderMetric(t) != "1" || b.leaderMetric(t) != "0" {
		t.Errorf("kmswatch_leader: a %s, b %s", a.leaderMetric(t), b.leaderMetric(t))
	}
	st := b.d.Status().Lease
	if st.Holder != "a" || st.HolderSpecDigest != a.d.Status().Spec.SHA256 || st.Since == nil {
		t.Errorf("standby's lease status %+v", st)
	}
	logs := b.logs.String()
	if !strings.Contains(logs, "standing by: a applies spec "+st.HolderSpecDigest) ||
		!strings.Contains(logs, "another kmswatch (a) holds the lease and applies spec "+st.HolderSpecDigest+", not this instance's spec "+b.d.Status().Spec.SHA256) {
		t.Errorf("the standby does not say who leads, or does not warn that the specs differ:\n%s", logs)
	}

	stopped := time.Now()
	a.cancel()
	<-a.done
	a.done <- nil // for the harness's cleanup
	// The bound for a released lease: a third of the duration plus one second.
	eventually(t, d/3+time.Second, "b leads and runs its first pass", func() bool { return b.account.passCount() > 0 })
	t.Logf("b passed %v after a stopped (lease duration %v)", time.Since(stopped).Round(time.Millisecond), d)
	if v, _ := b.account.alarm("Alarm/a"); v != "5" {
		t.Errorf("b's spec is not applied: threshold %q", v)
	}
	if !strings.Contains(a.logs.String(), "lease released") {
		t.Errorf("a did not release the lease:\n%s", a.logs.String())
	}
}

// Without a lease, a process is its own leader: kmswatch_leader 1, /status lease role leader.
func TestNoLeaseIsItsOwnLeader(t *testing.T) {
	h := startDaemon(t, specYAML("m", "a=1"), nil)
	srv := httptest.NewServer(h.d.Handler())
	defer srv.Close()
	eventually(t, 5*time.Second, "first pass", func() bool { return h.account.passCount() == 1 })
	_, body := get(t, srv.URL+"/metrics")
	if !strings.Contains(body, "\nkmswatch_leader 1\n") || !strings.Contains(body, "\nkmswatch_lease_transitions_total 0\n") {
		t.Errorf("/metrics without a lease:\n%s", body)
	}
	if st := h.d.Status().Lease; st == nil || st.Role != lease.RoleLeader || st.Lease != "" {
		t.Errorf("/status lease %+v", st)
	}
	if err := h.d.Leadership().Check(); err != nil {
		t.Errorf("Leadership().Check() = %v, want nil", err)
	}
}

// A leader whose lease is taken from it mid-pass (here by a rogue unconditional write of the
// lease object) has its pass cut short through the term's context, logs why, and stands by:
// the lost lease is not a failed pass.
func TestLostLeaseCutsThePassShort(t *testing.T) {
	const d = 900 * time.Millisecond
	e := awsemu.New(awsemu.Options{})
	e.SeedBucket(testLease.Bucket)
	account := newFakeAccount()
	account.block = true // every pass waits for its context
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://awsemu.invalid"), HTTPClient: awsemu.InProcessClient(e),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDA", SecretAccessKey: "x"}, nil
		})}
	s3c := awsclient.NewS3(cfg, awsclient.Options{})
	var el *lease.Elector
	h := startDaemonOn(t, account, specYAML("m", "a=1"), func(o *Options) {
		var err error
		el, err = lease.New(lease.Config{Client: s3c, Lease: testLease, Duration: d, Identity: lease.Identity{Host: "a"}, Log: o.Log})
		if err != nil {
			t.Fatal(err)
		}
		o.Lease = el
	})
	<-account.started
	rogue := `{"holder":"rogue","holderID":"rogue-id","since":"2026-01-01T00:00:00Z","renewedAt":"2026-01-01T00:00:00Z","leaseDuration":"1h","transitions":7,"renewals":1}`
	if _, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(testLease.Bucket), Key: aws.String(testLease.Key),
		Body: strings.NewReader(rogue)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*d, "the pass is cut short", func() bool { return strings.Contains(h.logs.String(), "pass cut short") })
	eventually(t, 2*d, "standing by behind the rogue", func() bool {
		st := h.d.Status().Lease
		return st.Role == lease.RoleStandby && st.Holder == "rogue"
	})
	if logs := h.logs.String(); strings.Contains(logs, `"msg":"pass failed"`) || strings.Contains(logs, "retrying after backoff") {
		t.Errorf("the lost lease was taken for a failed pass:\n%s", logs)
	}
	if n := account.passCount(); n != 1 {
		t.Errorf("%d passes, want the one cut short", n)
	}
	if err := h.d.Leadership().Check(); err == nil {
		t.Error("Leadership().Check() passes after the lease was lost")
	}
}

// A spec in S3: an uploaded edit is applied at the next poll, an invalid upload is rejected and
// changes nothing, and /status names the source and the version in force.
func TestSpecFromS3(t *testing.T) {
	e := awsemu.New(awsemu.Options{})
	e.SeedBucket("kmswatch-specs")
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://awsemu.invalid"), HTTPClient: awsemu.InProcessClient(e),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDSPEC", SecretAccessKey: "x"}, nil
		})}
	s3c := awsclient.NewS3(cfg, awsclient.Options{})
	loc := s3object.Location{Bucket: "kmswatch-specs", Key: "prod/monitor.yaml"}
	upload := func(content string) string {
		out, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key), Body: strings.NewReader(content)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ETag)
	}
	first := upload(specYAML("m", "a=1"))
	h := startDaemon(t, specYAML("unused", "x=1"), func(o *Options) {
		o.Source, o.SpecPath, o.PollInterval = specsource.NewS3(s3c, loc), "", 50*time.Millisecond
	})
	eventually(t, 5*time.Second, "first pass", func() bool { v, _ := h.account.alarm("Alarm/a"); return v == "1" })
	if st := h.d.Status().Spec; st.Source != loc.String() || st.Version.ETag != first || st.Path != "" {
		t.Errorf("/status spec %+v", st)
	}
	second := upload(specYAML("m", "a=2"))
	eventually(t, 5*time.Second, "uploaded edit applied", func() bool { v, _ := h.account.alarm("Alarm/a"); return v == "2" })
	bad := upload(specYAML("m", "a=3") + "  thresold: 1\n")
	eventually(t, 5*time.Second, "invalid upload rejected", func() bool { return h.d.Status().RejectedEdit != nil })
	passes := h.account.passCount()
	st := h.d.Status()
	if st.RejectedEdit.ETag != bad || st.Spec.Version.ETag != second || !strings.Contains(st.RejectedEdit.Error, "thresold") {
		t.Errorf("/status after the invalid upload: spec %+v, rejected %+v", st.Spec, st.RejectedEdit)
	}
	time.Sleep(200 * time.Millisecond)
	if v, _ := h.account.alarm("Alarm/a"); v != "2" || h.account.passCount() != passes {
		t.Errorf("the invalid upload changed something: threshold %s, passes %d → %d", v, passes, h.account.passCount())
	}
}
