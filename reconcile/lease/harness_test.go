package lease

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"

	"github.com/kmswatch/kmswatch/reconcile/s3object"
)

var testLease = s3object.Location{Bucket: "kmswatch-state", Key: "prod/lease.json"}

// clock is a settable clock shared by a harness's electors; each elector may see it shifted.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lines collects log lines.
type lines struct {
	mu sync.Mutex
	l  []string
}

func (l *lines) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.l = append(l.l, args)
	}, funcr.Options{})
}

func (l *lines) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.l
	l.l = nil
	return out
}

// harness runs electors against one S3 on one fake clock; tests drive the steps.
type harness struct {
	t      *testing.T
	s3     backend
	faults *faulty // every member's calls go through it
	clock  *clock
}

func newHarness(t *testing.T) *harness { return newHarnessOn(t, newMemS3()) }

func newHarnessOn(t *testing.T, b backend) *harness {
	return &harness{t: t, s3: b, faults: &faulty{S3API: b}, clock: &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
}

// member is one elector under test, with its probe and its log.
type member struct {
	name  string
	e     *Elector
	probe *probe
	log   *lines
	seen  []Status // OnChange calls
}

type memberOpt func(*Config)

func withDuration(d time.Duration) memberOpt { return func(c *Config) { c.Duration = d } }
func withSpec(d string) memberOpt            { return func(c *Config) { c.SpecDigest = d } }
func withCallTimeout(d time.Duration) memberOpt {
	return func(c *Config) { c.CallTimeout = d }
}
func withSkew(d time.Duration, c0 *clock) memberOpt {
	return func(c *Config) { c.Now = func() time.Time { return c0.now().Add(d) } }
}

func (h *harness) member(name string, opts ...memberOpt) *member {
	h.t.Helper()
	m := &member{name: name, probe: &probe{S3API: h.faults}, log: &lines{}}
	cfg := Config{
		Client: m.probe, Lease: testLease, Duration: 30 * time.Second,
		Identity: Identity{Host: name, ID: "id-" + name},
		Log:      m.log.logger(), Now: h.clock.now, Rand: func() float64 { return 0 },
		OnChange: func(s Status) { m.seen = append(m.seen, s) },
	}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		h.t.Fatalf("new elector %s: %v", name, err)
	}
	m.e = e
	return m
}

// step runs one step of m and fails the test on an error.
func (h *harness) step(m *member) {
	h.t.Helper()
	if _, err := m.e.step(context.Background()); err != nil {
		h.t.Fatalf("%s step: %v", m.name, err)
	}
}

func (m *member) leads() bool { return m.e.Check() == nil }

// leaders names the members that may write now.
func leaders(ms ...*member) []string {
	var out []string
	for _, m := range ms {
		if m.leads() {
			out = append(out, m.name)
		}
	}
	return out
}

// object reads the lease object as it is in S3 now.
func (h *harness) object() (data []byte, etag string) {
	h.t.Helper()
	out, err := h.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testLease.Bucket), Key: aws.String(testLease.Key)})
	if err != nil {
		h.t.Fatalf("read the lease object: %v", err)
	}
	defer out.Body.Close()
	data, err = io.ReadAll(out.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return data, aws.ToString(out.ETag)
}

// record decodes the lease object as it is in S3 now.
func (h *harness) record() *Record {
	h.t.Helper()
	b, _ := h.object()
	r, err := decodeRecord(b)
	if err != nil {
		h.t.Fatalf("lease object %q: %v", b, err)
	}
	return r
}

func (h *harness) etag() string {
	_, tag := h.object()
	return tag
}

// set writes the lease object unconditionally, as an operator or a stray tool would.
func (h *harness) set(data string) {
	h.t.Helper()
	_, err := h.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(testLease.Bucket),
		Key: aws.String(testLease.Key), Body: strings.NewReader(data)})
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) remove() {
	h.t.Helper()
	_, err := h.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(testLease.Bucket), Key: aws.String(testLease.Key)})
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) wantLeaders(want string, ms ...*member) {
	h.t.Helper()
	if got := strings.Join(leaders(ms...), ","); got != want {
		h.t.Fatalf("at %s leaders = [%s], want [%s]", h.clock.now().Format(time.TimeOnly), got, want)
	}
}

func hasLine(ls []string, substr string) bool {
	for _, l := range ls {
		if strings.Contains(l, substr) {
			return true
		}
	}
	return false
}

func dump(ls []string) string {
	return fmt.Sprintf("%d lines:\n  %s", len(ls), strings.Join(ls, "\n  "))
}
