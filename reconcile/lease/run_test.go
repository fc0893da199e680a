package lease

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// testElection runs three electors on the real clock against client: one leads, never two; a
// leader that shuts down hands over at a standby's next poll, well within one duration.
func testElection(t *testing.T, client S3API, d time.Duration) {
	es := map[string]*Elector{}
	for _, n := range []string{"a", "b", "c"} {
		es[n] = realElector(t, client, n, d)
	}
	s := startSampler(t, es)
	cancels, done := runAll(es)
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	first, _ := s.waitLeader("", 10*d)
	time.Sleep(2 * d) // renewals keep it
	if got := s.leaderOf.Load(); got != first {
		t.Fatalf("leadership moved from %s to %s without a reason", first, got)
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
	testElection(t, newMemS3(), 1500*time.Millisecond)
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
