package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// The fleet tests run several real kmswatch binaries against one AWS — the emulator, or moto —
// behind an awsemu.Recorder, which puts every call of every process on one real-time line with
// the access key it was signed with: each process gets its own AWS_ACCESS_KEY_ID.

const (
	stateBucket = "kmswatch-state"
	leaseKey    = "prod/lease.json"
	specKey     = "prod/monitor.yaml"
	operatorKey = "AKIAOPERATOR"
	// fleetLease is the lease duration of the fleet tests: short, so that takeovers take
	// seconds. The bounds are the issue's: a third of it plus a second after SIGTERM, the
	// duration plus one retry after SIGKILL.
	fleetLease = 3 * time.Second
	// fleetRetry is the longest poll of a standby: a third of the duration, spread by a fifth.
	fleetRetry = fleetLease / 3 * 6 / 5
)

var leaseURL = "s3://" + stateBucket + "/" + leaseKey

// fleetBackend is one AWS for a fleet.
type fleetBackend struct {
	name    string
	url     string
	rec     *awsemu.Recorder
	emu     *awsemu.Emulator // nil on moto
	account string
	args    []string // the flags every process needs here
	s3      *s3.Client
	cw      *cloudwatch.Client
}

// fleetBackends are the backends a fleet test runs against: the emulator, and moto when
// moto_server is installed (mototest skips or, with KMSWATCH_REQUIRE_MOTO=1, fails otherwise).
var fleetBackends = []string{"emulator", "moto"}

func newFleetBackend(t *testing.T, kind string) *fleetBackend {
	t.Helper()
	fb := &fleetBackend{name: kind}
	switch kind {
	case "emulator":
		fb.emu = newLabEmulator()
		fb.rec = awsemu.NewRecorder(fb.emu, awsemu.RecorderOptions{})
		fb.account = labAccount
	case "moto":
		m := mototest.Start(t)
		target, err := url.Parse(m.URL)
		must(t, err)
		proxy := httputil.NewSingleHostReverseProxy(target)
		proxy.ErrorLog = log.New(io.Discard, "", 0) // requests of killed processes are cut short: not news
		fb.rec = awsemu.NewRecorder(proxy, awsemu.RecorderOptions{SerialiseS3Writes: true})
		// moto's account; the lab's ARNs of 111122223333 are only strings to it.
		fb.account, fb.args = "123456789012", []string{"--cloudwatch-protocol", "query"}
		m.CreateBucket(t, "pattern1-trail-bucket")
	}
	fb.url = serve(t, listen(t), fb.rec)
	cfg := aws.Config{Region: labRegion, BaseEndpoint: aws.String(fb.url), HTTPClient: awsemu.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(operatorKey, "x", "")}
	fb.s3 = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	fb.cw = cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		if kind == "moto" {
			o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		}
	})
	ctx := context.Background()
	_, err := fb.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(stateBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: labRegion}})
	must(t, err)
	// Versioned, so that every write of the lease record stays readable afterwards.
	_, err = fb.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(stateBucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	must(t, err)
	return fb
}

// upload puts a spec into the state bucket, as a CI job would.
func (fb *fleetBackend) upload(t *testing.T, content string) string {
	t.Helper()
	out, err := fb.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(stateBucket), Key: aws.String(specKey),
		Body: strings.NewReader(content)})
	must(t, err)
	return aws.ToString(out.ETag)
}

// replica is one kmswatch process of a fleet.
type replica struct {
	name, key string
	p         *proc
	base      string      // its operations server
	gone      atomic.Bool // stopped: its port may serve another process now
}

// start runs a kmswatch daemon with its own access key, the lease, and args.
func (fb *fleetBackend) start(t *testing.T, name string, args ...string) *replica {
	t.Helper()
	r := &replica{name: name, key: "AKIA" + strings.ToUpper(strings.ReplaceAll(name, "-", ""))}
	all := append([]string{"--endpoint-url", fb.url, "--region", labRegion, "--account-id", fb.account, "--interval", "1s", "--listen", "127.0.0.1:0",
		"--lease", leaseURL, "--lease-duration", fleetLease.String()}, fb.args...)
	r.p = start(t, cleanEnv("AWS_ACCESS_KEY_ID="+r.key), append(all, args...)...)
	r.base = r.p.listenAddr()
	return r
}

// fleetStatus is the part of /status the fleet tests read.
type fleetStatus struct {
	Ready bool
	Lease struct {
		Role, Holder, HolderSpecDigest string
		Since                          *time.Time
	}
	Spec struct {
		SHA256  string
		Version struct{ ETag string }
	}
	RejectedEdit *struct{ Error, ETag string }
	LastPass     *struct {
		Started  time.Time
		Duration string
	}
}

// status reads /status; ok is false while the process does not answer.
func (r *replica) status(t *testing.T) (fleetStatus, bool) {
	var st fleetStatus
	code, body := httpGet(t, r.base+"/status")
	if code != 200 {
		return st, false
	}
	return st, json.Unmarshal([]byte(body), &st) == nil
}

func (r *replica) leads(t *testing.T) bool {
	if r.gone.Load() {
		return false
	}
	st, ok := r.status(t)
	return ok && st.Lease.Role == "leader"
}

// stop signals the process, waits for it to exit and returns its exit code.
func (r *replica) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	must(t, r.p.cmd.Process.Signal(sig))
	code := r.p.wait(10 * time.Second)
	r.gone.Store(true)
	return code
}

// leaderWatch polls every replica's /status and fails the test if two say "leader" at once.
type leaderWatch struct {
	t     *testing.T
	mu    sync.Mutex
	reps  []*replica
	polls int
	stop  chan struct{}
	done  chan struct{}
	bad   []string
}

func watchLeaders(t *testing.T, reps ...*replica) *leaderWatch {
	w := &leaderWatch{t: t, reps: reps, stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	t.Cleanup(w.end)
	return w
}

func (w *leaderWatch) add(r *replica) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reps = append(w.reps, r)
}

func (w *leaderWatch) run() {
	defer close(w.done)
	for {
		select {
		case <-w.stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
		w.mu.Lock()
		reps := append([]*replica(nil), w.reps...)
		w.mu.Unlock()
		var leading []string
		for _, r := range reps {
			if r.leads(w.t) {
				leading = append(leading, r.name)
			}
		}
		w.mu.Lock()
		w.polls++
		if len(leading) > 1 {
			w.bad = append(w.bad, fmt.Sprintf("%s: %v", time.Now().Format("15:04:05.000"), leading))
		}
		w.mu.Unlock()
	}
}

// end stops watching and reports any moment with two leaders.
func (w *leaderWatch) end() {
	select {
	case <-w.stop:
		return
	default:
	}
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.bad) > 0 {
		w.t.Errorf("two leaders at once, in %d of %d polls: %v", len(w.bad), w.polls, w.bad)
	}
	w.t.Logf("leader watch: %d polls of /status, never two leaders: %v", w.polls, len(w.bad) == 0)
}

// leaseWrite is one successful write of the lease object, with the record it wrote.
type leaseWrite struct {
	call     awsemu.RecordedCall
	holderID string
	released bool
}

// leaseWrites reads, from the call log and the lease object's versions, every successful write
// of the lease, in order.
func (fb *fleetBackend) leaseWrites(t *testing.T, calls []awsemu.RecordedCall) []leaseWrite {
	t.Helper()
	var out []leaseWrite
	for _, c := range calls {
		if c.Service != "s3" || c.Op != "PutObject" || c.Key != leaseKey || !c.OK() {
			continue
		}
		obj, err := fb.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(stateBucket), Key: aws.String(leaseKey),
			VersionId: aws.String(c.VersionID)})
		must(t, err)
		data, err := io.ReadAll(obj.Body)
		obj.Body.Close()
		must(t, err)
		var rec struct {
			HolderID string `json:"holderID"`
			Released bool   `json:"released"`
		}
		must(t, json.Unmarshal(data, &rec))
		out = append(out, leaseWrite{call: c, holderID: rec.HolderID, released: rec.Released})
	}
	return out
}

// holderAt is the access key holding the lease at instant at, as the lease writes say: the
// writer of the last write answered before at, unless that write released it ("").
func holderAt(writes []leaseWrite, at time.Time) string {
	holder := ""
	for _, w := range writes {
		if w.call.End.After(at) {
			break
		}
		holder = w.call.AccessKey
		if w.released {
			holder = ""
		}
	}
	return holder
}

// checkOnlyHolderCalls checks that every call the fleet's processes made, other than to S3, was
// made by the holder of the lease at that moment — every write, and every read too, since a
// standby makes no call but the lease's — and that their S3 calls are the lease's (and the
// spec's polls). It returns the number of writes checked.
func checkOnlyHolderCalls(t *testing.T, calls []awsemu.RecordedCall, writes []leaseWrite, fleet map[string]bool) int {
	t.Helper()
	checked := 0
	for _, c := range calls {
		if !fleet[c.AccessKey] {
			continue
		}
		if c.Service == "s3" {
			lease := c.Key == leaseKey && (c.Op == "GetObject" || c.Op == "PutObject")
			spec := c.Key == specKey && c.Op == "GetObject"
			if c.Bucket != stateBucket || !(lease || spec) {
				t.Errorf("%s made an S3 call that is neither the lease's nor the spec's: %+v", c.AccessKey, c)
			}
			continue
		}
		if h := holderAt(writes, c.Start); h != c.AccessKey {
			t.Errorf("%s called %s:%s at %s while the lease holder was %q", c.AccessKey, c.Service, c.Op, c.Start.Format("15:04:05.000"), h)
		}
		if awsop.IsWrite(c.Service + ":" + c.Op) {
			checked++
		}
	}
	return checked
}

// checkTerms checks that each term (from one holder's take to the next change of hands) saw
// writes from its holder alone, and returns the number of terms.
func checkTerms(t *testing.T, calls []awsemu.RecordedCall, writes []leaseWrite, fleet map[string]bool) int {
	t.Helper()
	type term struct {
		holder  string
		from    time.Time
		writers map[string]int
	}
	var terms []*term
	for _, w := range writes {
		if w.released {
			terms = append(terms, &term{holder: "", from: w.call.End, writers: map[string]int{}})
			continue
		}
		if len(terms) == 0 || terms[len(terms)-1].holder != w.call.AccessKey {
			terms = append(terms, &term{holder: w.call.AccessKey, from: w.call.End, writers: map[string]int{}})
		}
	}
	for _, c := range calls {
		if !fleet[c.AccessKey] || c.Service == "s3" || !awsop.IsWrite(c.Service+":"+c.Op) {
			continue
		}
		i := sort.Search(len(terms), func(i int) bool { return terms[i].from.After(c.Start) }) - 1
		if i < 0 {
			t.Errorf("%s wrote %s:%s before anyone held the lease", c.AccessKey, c.Service, c.Op)
			continue
		}
		terms[i].writers[c.AccessKey]++
	}
	for i, tm := range terms {
		for k, n := range tm.writers {
			if k != tm.holder {
				t.Errorf("term %d (holder %q, from %s): %s wrote %d times", i, tm.holder, tm.from.Format("15:04:05.000"), k, n)
			}
		}
	}
	return len(terms)
}

// checkEmulatorLog cross-checks the recorder with the emulator's own CallLog: every call the
// emulator saw, by each access key, the recorder saw by the same key, so that attribution rests
// on the emulator's record as well. Replicas may still be calling: the emulator's log is read
// first, then the recorder's (which records a call just after the emulator has served it, so it
// may run a moment behind, and holds calls made since: more, never fewer, once it caught up).
func (fb *fleetBackend) checkEmulatorLog(t *testing.T) {
	t.Helper()
	if fb.emu == nil {
		return
	}
	count := func(key, call string, m map[string]int) { m[key+" "+call]++ }
	emu := map[string]int{}
	for _, c := range fb.emu.Instruments().CallLog() {
		count(c.AccessKey, c.Service+":"+c.Op, emu)
	}
	var missing []string
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rec := map[string]int{}
		for _, c := range fb.rec.Calls() {
			count(c.AccessKey, c.Service+":"+c.Op, rec)
		}
		missing = nil
		for k, n := range emu {
			if rec[k] < n {
				missing = append(missing, fmt.Sprintf("%s: the emulator's CallLog %d, the recorder %d", k, n, rec[k]))
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, m := range missing {
		t.Errorf("a call the recorder did not attribute as the emulator did: %s", m)
	}
}

// labSpecFile writes the lab spec with threshold into dir.
func labSpecFile(t *testing.T, dir, name string, threshold int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	must(t, os.WriteFile(path, []byte(labSpec(t, threshold)), 0o644))
	return path
}

// putMetricAlarms counts the PutMetricAlarm calls of the fleet since from.
func putMetricAlarms(calls []awsemu.RecordedCall, fleet map[string]bool, from time.Time) map[string]int {
	out := map[string]int{}
	for _, c := range calls {
		if fleet[c.AccessKey] && c.Op == "PutMetricAlarm" && !c.Start.Before(from) {
			out[c.AccessKey]++
		}
	}
	return out
}
