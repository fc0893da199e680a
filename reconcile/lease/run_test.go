package lease

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/go-logr/logr"
)

// realElector is an elector on the real clock, as the daemon runs it.
func realElector(t *testing.T, client S3API, name string, d time.Duration) *Elector {
	t.Helper()
	e, err := New(Config{Client: client, Lease: testLease, Duration: d,
		Identity: Identity{Host: name, ID: "id-" + name}, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sampler checks, every millisecond or two, that at most one elector may write, and counts the
// samples with none.
type sampler struct {
	t        *testing.T
	es       map[string]*Elector
	stop     chan struct{}
	done     chan struct{}
	samples  atomic.Int64
	steady   atomic.Bool  // while set, a sample with no leader is a gap
	gaps     atomic.Int64 // samples with no leader while steady
	leaderOf atomic.Value // string: the last leader seen
	overlap  atomic.Value // string: the first overlap seen
}

func startSampler(t *testing.T, es map[string]*Elector) *sampler {
	s := &sampler{t: t, es: es, stop: make(chan struct{}), done: make(chan struct{})}
	s.leaderOf.Store("")
	s.overlap.Store("")
	go func() {
		defer close(s.done)
		for {
			select {
			case <-s.stop:
				return
			case <-time.After(time.Millisecond):
			}
			var ls []string
			for name, e := range s.es {
				if e.Check() == nil {
					ls = append(ls, name)
				}
			}
			s.samples.Add(1)
			if len(ls) > 1 && s.overlap.Load() == "" {
				s.overlap.Store(fmt.Sprintf("%v at %s", ls, time.Now().Format(time.StampMilli)))
			}
			if len(ls) == 1 {
				s.leaderOf.Store(ls[0])
			}
			if len(ls) == 0 && s.steady.Load() {
				s.gaps.Add(1)
			}
		}
	}()
	return s
}

// waitLeader waits until one elector other than not leads, and returns its name.
func (s *sampler) waitLeader(not string, within time.Duration) (string, time.Duration) {
	s.t.Helper()
	began := time.Now()
	for time.Since(began) < within {
		for name, e := range s.es {
			if name != not && e.Check() == nil {
				return name, time.Since(began)
			}
		}
		time.Sleep(time.Millisecond)
	}
	s.t.Fatalf("no leader other than %q within %s", not, within)
	return "", 0
}

func (s *sampler) finish() {
	s.t.Helper()
	close(s.stop)
	<-s.done
	if o := s.overlap.Load().(string); o != "" {
		s.t.Fatalf("two electors could write at once: %s", o)
	}
	s.t.Logf("%d samples, never two leaders", s.samples.Load())
}

// runAll runs each elector until its own cancel func is called.
func runAll(es map[string]*Elector) (map[string]context.CancelFunc, map[string]chan error) {
	cancels, done := map[string]context.CancelFunc{}, map[string]chan error{}
	for name, e := range es {
		ctx, cancel := context.WithCancel(context.Background())
		ch := make(chan error, 1)
		go func() { ch <- e.Run(ctx) }()
		cancels[name], done[name] = cancel, ch
	}
	return cancels, done
}

// testElection runs n electors on the real clock against client: one leads, never two; a
// leader that shuts down hands over at a standby's next poll, well within one duration.
func testElection(t *testing.T, client S3API, n int, d time.Duration) {
	es := map[string]*Elector{}
	for i := range n {
		name := string(rune('a' + i))
		es[name] = realElector(t, client, name, d)
	}
	s := startSampler(t, es)
	cancels, done := runAll(es)
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	first, _ := s.waitLeader("", 10*d)
	s.steady.Store(true)
	time.Sleep(2 * d) // renewals keep it: exactly one leader at every sample
	s.steady.Store(false)
	if got := s.leaderOf.Load(); got != first {
		t.Fatalf("leadership moved from %s to %s without a reason", first, got)
	}
	if g := s.gaps.Load(); g > 0 {
		t.Fatalf("%d samples found no leader while %s was renewing", g, first)
	}
	cancels[first]()
	if err := <-done[first]; err != nil {
		t.Fatalf("%s released with error: %v", first, err)
	}
	second, took := s.waitLeader(first, 10*d)
	t.Logf("%s released; %s took over after %s (lease duration %s)", first, second, took, d)
	if took >= d {
		t.Fatalf("takeover after a release took %s, no faster than expiry (%s)", took, d)
	}
	if st := es[second].Status(); st.Transitions != 1 || st.Holder != second {
		t.Fatalf("%s status = %+v", second, st)
	}
	s.finish()
}

func TestRunInMemory(t *testing.T) {
	testElection(t, newMemS3(), 3, 1500*time.Millisecond)
}

// testHold checks the one-shot form: it fails at once naming a running holder, waits for a
// release when given patience, and releases after its pass.
func testHold(t *testing.T, client S3API, d time.Duration) {
	a := realElector(t, client, "a", d)
	ctx, stopA := context.WithCancel(context.Background())
	defer stopA()
	doneA := make(chan error, 1)
	go func() { doneA <- a.Run(ctx) }()
	for a.Check() != nil {
		time.Sleep(time.Millisecond)
	}

	once := realElector(t, client, "ci", d)
	err := once.Hold(context.Background(), 0, func(context.Context) error {
		t.Error("the pass ran without the lease")
		return nil
	})
	var held *HeldError
	if !errors.As(err, &held) || !strings.Contains(err.Error(), "is held by a") {
		t.Fatalf("Hold while a leads = %v", err)
	}

	time.AfterFunc(d/2, stopA) // a shuts down, and releases, while the pass waits
	once = realElector(t, client, "ci2", d)
	var ran bool
	err = once.Hold(context.Background(), 3*d, func(ctx context.Context) error {
		ran = true
		if err := once.Check(); err != nil {
			return err
		}
		if a.Check() == nil {
			return errors.New("a still leads during the pass")
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(d): // a pass that outlasts a renewal period
		}
		return once.Check()
	})
	if err != nil || !ran {
		t.Fatalf("Hold after a's release: ran %v, %v", ran, err)
	}
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	if once.Check() == nil {
		t.Fatal("Hold returned still leading")
	}
	if st := once.Status(); !st.Released {
		t.Fatalf("after Hold the lease is not released: %+v", st)
	}
}

func TestHoldInMemory(t *testing.T) {
	testHold(t, newMemS3(), 1500*time.Millisecond)
}

// cuttable is one elector's network: while cut, every call hangs until its timeout, as on a
// black-holed connection.
type cuttable struct {
	S3API
	cut atomic.Bool
}

func (c *cuttable) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if c.cut.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return c.S3API.GetObject(ctx, in, o...)
}

func (c *cuttable) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if c.cut.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return c.S3API.PutObject(ctx, in, o...)
}

// testPartition cuts the leader off S3: it must stop writing before another elector starts,
// the other must start, and the old leader, reconnected, must stand by.
func testPartition(t *testing.T, client S3API, d time.Duration) {
	es, nets := map[string]*Elector{}, map[string]*cuttable{}
	for _, name := range []string{"a", "b", "c"} {
		nets[name] = &cuttable{S3API: client}
		es[name] = realElector(t, nets[name], name, d)
	}
	s := startSampler(t, es)
	cancels, _ := runAll(es)
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	old, _ := s.waitLeader("", 10*d)
	nets[old].cut.Store(true)
	cutAt := time.Now()
	for es[old].Check() == nil {
		time.Sleep(time.Millisecond)
	}
	stopped := time.Since(cutAt)
	next, _ := s.waitLeader(old, 10*d)
	started := time.Since(cutAt)
	t.Logf("%s cut off; it stopped after %s, %s started after %s (lease duration %s)", old, stopped, next, started, d)
	if stopped > 2*d/3+d/6 { // its last renewal was sent before the cut; the deadline is 2/3 d after it
		t.Fatalf("the cut-off leader went on for %s", stopped)
	}
	if started-stopped < d/6 {
		t.Fatalf("%s started only %s after %s stopped", next, started-stopped, old)
	}
	nets[old].cut.Store(false)
	deadline := time.Now().Add(10 * d)
	for es[old].Status().HolderID != "id-"+next {
		if time.Now().After(deadline) {
			t.Fatalf("the reconnected %s does not see %s: %+v", old, next, es[old].Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.finish()
}

func TestPartitionInMemory(t *testing.T) {
	testPartition(t, newMemS3(), 1500*time.Millisecond)
}
