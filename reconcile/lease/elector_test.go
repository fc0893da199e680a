package lease

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

const D = 30 * time.Second

// electionCases drive electors step by step on a fake clock; they run against the in-memory S3
// and against moto.
var electionCases = []struct {
	name string
	run  func(t *testing.T, h *harness)
}{
	{"create when absent", func(t *testing.T, h *harness) {
		a := h.member("a", withSpec("sha256:aaa"))
		h.step(a)
		h.wantLeaders("a", a)
		r := h.record()
		if r.HolderID != "id-a" || r.Holder != "a" || r.Transitions != 0 || r.Released ||
			time.Duration(r.LeaseDuration) != D || r.SpecDigest != "sha256:aaa" || !r.Since.Equal(h.clock.now()) {
			t.Fatalf("record = %+v", r)
		}
		st := a.e.Status()
		if st.Role != RoleLeader || st.Holder != "a" || st.HolderSpecDigest != "sha256:aaa" || st.Since == nil {
			t.Fatalf("status = %+v", st)
		}
	}},
	{"renewals change the ETag and keep standbys out", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		h.step(a)
		h.step(b)
		tags := map[string]bool{h.etag(): true}
		for i := 0; i < 10; i++ { // 3⅓ durations
			h.clock.advance(D / 3)
			h.step(a)
			h.step(b)
			h.wantLeaders("a", a, b)
			if tags[h.etag()] {
				t.Fatalf("renewal %d rewrote an ETag already seen: standbys would take it for no renewal", i)
			}
			tags[h.etag()] = true
		}
		if _, puts := b.probe.counts(); puts != 0 {
			t.Fatalf("the standby wrote %d times", puts)
		}
		if r := h.record(); r.Renewals != 11 || r.Transitions != 0 {
			t.Fatalf("record = %+v", r)
		}
	}},
	{"lost create race", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		// b reads "absent" and writes If-None-Match *, but a's create lands first.
		b.probe.beforePut = func() { h.step(a) }
		h.step(b)
		h.wantLeaders("a", a, b)
		if st := b.e.Status(); st.Role != RoleStandby || st.HolderID != "id-a" {
			t.Fatalf("b status = %+v", st)
		}
	}},
	{"lost takeover race", func(t *testing.T, h *harness) {
		a, b, c := h.member("a"), h.member("b"), h.member("c")
		h.step(a)
		h.step(b)
		h.step(c)
		h.clock.advance(D) // a has stopped renewing: b and c both judge it expired
		c.probe.beforePut = func() { h.step(b) }
		h.step(c)
		h.wantLeaders("b", a, b, c)
		if st := c.e.Status(); st.HolderID != "id-b" || st.Transitions != 1 {
			t.Fatalf("c status = %+v", st)
		}
	}},
	{"expiry is judged from the standby's own first sight", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		h.step(a)
		h.clock.advance(5 * time.Second) // a stops; b first reads the record 5s later
		h.step(b)
		h.clock.advance(D - time.Millisecond)
		h.step(b)
		h.wantLeaders("", b) // the record is 35s old by a's clock, but b has seen it for 29.999s
		h.clock.advance(time.Millisecond)
		h.step(b)
		h.wantLeaders("b", a, b)
		if r := h.record(); r.HolderID != "id-b" || r.Transitions != 1 {
			t.Fatalf("record = %+v", r)
		}
		if !hasLine(a.log.take(), `"leading"`) {
			t.Fatal("a never logged leading")
		}
	}},
	{"a stalled leader stops before any standby may start", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		h.step(a)
		h.step(b)
		h.clock.advance(D / 3)
		h.step(a) // the last renewal; then a stalls
		renewed := h.clock.now()
		var aEnd, bStart time.Time
		nextB := renewed
		for h.clock.now().Before(renewed.Add(2 * D)) {
			if !h.clock.now().Before(nextB) {
				h.step(b)
				nextB = h.clock.now().Add(D / 3)
			}
			if aEnd.IsZero() && !a.leads() {
				aEnd = h.clock.now()
			}
			if bStart.IsZero() && b.leads() {
				bStart = h.clock.now()
			}
			if a.leads() && b.leads() {
				t.Fatalf("two leaders at %s", h.clock.now().Sub(renewed))
			}
			h.clock.advance(10 * time.Millisecond)
		}
		if got := aEnd.Sub(renewed); got != 2*D/3 {
			t.Fatalf("a stopped %s after its last renewal, want the renew deadline %s", got, 2*D/3)
		}
		if bStart.IsZero() || bStart.Sub(renewed) < D || bStart.Sub(aEnd) < D/3 {
			t.Fatalf("b started %s after a's last renewal (a stopped at %s)", bStart.Sub(renewed), aEnd.Sub(renewed))
		}
		var nl *NotLeaderError
		if err := a.e.Check(); !errors.As(err, &nl) || !errors.Is(err, ErrNotLeader) {
			t.Fatalf("a.Check() = %v", err)
		}
	}},
	{"a hung renewal times out and the deadline still holds", func(t *testing.T, h *harness) {
		a := h.member("a", withCallTimeout(50*time.Millisecond))
		h.step(a)
		h.clock.advance(D / 3)
		h.faults.inject("PutObject", faultHang)
		began := time.Now()
		_, err := a.e.step(context.Background())
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("hung renewal: %v", err)
		}
		if took := time.Since(began); took > 5*time.Second {
			t.Fatalf("the hung call held the step %s", took)
		}
		h.clock.advance(2*D/3 - D/3 - time.Millisecond)
		h.wantLeaders("a", a) // still within the deadline of the first write
		h.clock.advance(time.Millisecond)
		h.wantLeaders("", a)
		if err := a.e.Check(); err == nil || !strings.Contains(err.Error(), "renew deadline passed") {
			t.Fatalf("Check after the deadline = %v", err)
		}
		h.step(a) // S3 answers again: nobody took over, so a renews and leads again
		h.wantLeaders("a", a)
	}},
	{"a renewal whose answer was lost is recognised as ours", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		h.step(a)
		h.step(b)
		h.clock.advance(D / 3)
		h.faults.inject("PutObject", faultLandThenFail)
		if _, err := a.e.step(context.Background()); err == nil {
			t.Fatal("a lost answer was taken for a success")
		}
		h.wantLeaders("a", a, b) // the deadline of the previous renewal still runs
		h.step(a)                // If-Match the old ETag → 412 → read → our own write → renew
		h.wantLeaders("a", a, b)
		if r := h.record(); r.HolderID != "id-a" || r.Transitions != 0 || r.Renewals != 3 {
			t.Fatalf("record = %+v", r)
		}
		if ls := a.log.take(); hasLine(ls, "stopped leading") {
			t.Fatalf("a reported a handover that did not happen: %s", dump(ls))
		}
	}},
	{"a create whose answer was lost is recognised as ours", func(t *testing.T, h *harness) {
		a := h.member("a")
		h.faults.inject("PutObject", faultLandThenFail)
		if _, err := a.e.step(context.Background()); err == nil {
			t.Fatal("a lost answer was taken for a success")
		}
		h.wantLeaders("", a)
		h.step(a)
		h.wantLeaders("a", a)
	}},
	{"release hands over at the next poll", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		h.step(a)
		h.step(b)
		if err := a.e.Release(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.wantLeaders("", a, b)
		if r := h.record(); !r.Released || r.HolderID != "id-a" {
			t.Fatalf("released record = %+v", r)
		}
		h.step(b) // no time has passed
		h.wantLeaders("b", a, b)
		if r := h.record(); r.HolderID != "id-b" || r.Transitions != 1 {
			t.Fatalf("record = %+v", r)
		}
		for i := 0; i < 6; i++ { // b renews; a, released, never competes again
			h.clock.advance(D / 3)
			if _, err := a.e.step(context.Background()); !errors.Is(err, errClosed) {
				t.Fatalf("a released elector stepped again: %v", err)
			}
			h.step(b)
			h.wantLeaders("b", a, b)
		}
		if ls := a.log.take(); !hasLine(ls, "stopped leading: it released the lease") || !hasLine(ls, "lease released") {
			t.Fatalf("a's log: %s", dump(ls))
		}
	}},
	{"a release after a renewal whose answer was lost releases that renewal", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		h.step(a)
		h.step(b)
		h.clock.advance(D / 3)
		h.faults.inject("PutObject", faultLandThenFail) // shutdown cuts a renewal short
		if _, err := a.e.step(context.Background()); err == nil {
			t.Fatal("a lost answer was taken for a success")
		}
		if err := a.e.Release(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r := h.record(); !r.Released || r.HolderID != "id-a" {
			t.Fatalf("record = %+v", r)
		}
		h.step(b)
		h.wantLeaders("b", a, b)
	}},
	{"a release after losing the lease writes nothing", func(t *testing.T, h *harness) {
		a, b := h.member("a"), h.member("b")
		h.step(a)
		h.step(b)
		h.clock.advance(D) // a stalls; b takes over
		h.step(b)
		before := h.etag()
		if err := a.e.Release(context.Background()); err != nil {
			t.Fatal(err)
		}
		if h.etag() != before {
			t.Fatalf("a's release overwrote b's lease: %+v", h.record())
		}
		h.wantLeaders("b", a, b)
	}},
	{"an unreadable record is taken over only after a whole unchanged duration", func(t *testing.T, h *harness) {
		b := h.member("b")
		h.set("not a lease")
		h.step(b)
		st := b.e.Status()
		if st.Role != RoleStandby || st.Holder != "" || !strings.Contains(st.RecordError, "not a JSON lease record") {
			t.Fatalf("status = %+v", st)
		}
		if !hasLine(b.log.take(), "is not a lease record this kmswatch can read") {
			t.Fatal("no standing-by line for the unreadable record")
		}
		h.clock.advance(D - time.Millisecond)
		h.step(b)
		h.wantLeaders("", b)
		h.clock.advance(time.Millisecond)
		h.step(b)
		h.wantLeaders("b", b)
		if r := h.record(); r.HolderID != "id-b" {
			t.Fatalf("record = %+v", r)
		}
	}},
	{"an unreadable record that keeps changing is never taken", func(t *testing.T, h *harness) {
		b := h.member("b")
		for i := 0; i < 12; i++ {
			h.set(`{"v2-format": ` + strings.Repeat("1", i+1) + `}`)
			h.step(b)
			h.wantLeaders("", b)
			h.clock.advance(D / 3)
		}
	}},
	{"clock skew between replicas does not matter", func(t *testing.T, h *harness) {
		a := h.member("a", withSkew(3*time.Hour, h.clock))
		b := h.member("b", withSkew(-26*time.Hour, h.clock))
		h.step(a)
		for i := 0; i < 9; i++ {
			h.clock.advance(D / 3)
			h.step(a)
			h.step(b)
			h.wantLeaders("a", a, b)
		}
		// a stops. Its record says it renewed 29 hours in b's future; b waits one duration from
		// its own first sight regardless.
		h.clock.advance(D/3 - time.Millisecond)
		h.step(b)
		h.clock.advance(D - D/3)
		h.step(b)
		h.wantLeaders("", a, b)
		h.clock.advance(time.Millisecond)
		h.step(b)
		h.wantLeaders("b", a, b)
	}},
	{"a holder's longer duration is honoured", func(t *testing.T, h *harness) {
		a := h.member("a", withDuration(2*D))
		b := h.member("b")
		h.step(a)
		h.step(b)
		h.clock.advance(D)
		h.step(b)
		h.wantLeaders("a", a, b) // a's own renew deadline is 40s
		h.clock.advance(D - time.Millisecond)
		h.step(b)
		h.wantLeaders("", a, b)
		h.clock.advance(time.Millisecond)
		h.step(b)
		h.wantLeaders("b", a, b)
	}},
	{"a deleted lease object is created again", func(t *testing.T, h *harness) {
		a := h.member("a")
		h.step(a)
		h.remove()
		h.clock.advance(D / 3)
		h.step(a) // If-Match → 404 → read: absent → create
		h.wantLeaders("a", a)
		if r := h.record(); r.HolderID != "id-a" {
			t.Fatalf("record = %+v", r)
		}
	}},
	{"access denied names the permissions", func(t *testing.T, h *harness) {
		a := h.member("a")
		h.faults.inject("GetObject", faultDenied)
		_, err := a.e.step(context.Background())
		if err == nil || !strings.Contains(err.Error(), "s3:ListBucket") || !strings.Contains(err.Error(), "s3:PutObject") {
			t.Fatalf("err = %v", err)
		}
		if st := a.e.Status(); st.LastError == "" || st.Role != RoleStandby {
			t.Fatalf("status = %+v", st)
		}
	}},
	{"standbys say who applies which spec, and warn once about a different one", func(t *testing.T, h *harness) {
		a, b := h.member("a", withSpec("sha256:aaa")), h.member("b", withSpec("sha256:bbb"))
		h.step(a)
		h.step(b)
		ls := b.log.take()
		if !hasLine(ls, "standing by: a applies spec sha256:aaa") ||
			!hasLine(ls, "warning: another kmswatch (a) holds the lease and applies spec sha256:aaa, not this instance's spec sha256:bbb") {
			t.Fatalf("b's log: %s", dump(ls))
		}
		h.clock.advance(D / 3)
		h.step(a)
		h.step(b)
		if ls := b.log.take(); len(ls) != 0 {
			t.Fatalf("b repeated itself: %s", dump(ls))
		}
		a.e.SetSpecDigest("sha256:bbb") // the rollout reaches the leader
		h.clock.advance(D / 3)
		h.step(a)
		h.step(b)
		ls = b.log.take()
		if !hasLine(ls, "standing by: a applies spec sha256:bbb") || hasLine(ls, "warning") {
			t.Fatalf("b's log: %s", dump(ls))
		}
		last := b.seen[len(b.seen)-1]
		if last.HolderSpecDigest != "sha256:bbb" || last.Role != RoleStandby || last.Holder != "a" {
			t.Fatalf("b's last OnChange = %+v", last)
		}
	}},
	{"Guard bounds a write to the renew deadline", func(t *testing.T, h *harness) {
		a := h.member("a")
		h.step(a)
		h.clock.advance(D / 3)
		ctx, cancel, err := a.e.Guard(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer cancel()
		dl, ok := ctx.Deadline()
		if left := time.Until(dl); !ok || left > D/3 || left < D/3-5*time.Second {
			t.Fatalf("guarded deadline in %s, want about %s", left, D/3)
		}
		h.clock.advance(D / 3)
		if _, _, err := a.e.Guard(context.Background()); !errors.Is(err, ErrNotLeader) {
			t.Fatalf("Guard past the deadline: %v", err)
		}
	}},
}

func TestElection(t *testing.T) {
	for _, c := range electionCases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newHarness(t)) })
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	s3 := newMemS3()
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Lease: testLease}, "Client is required"},
		{Config{Client: s3}, "needs a bucket and a key"},
		{Config{Client: s3, Lease: testLease, Duration: -time.Second}, "lease duration must be positive, got -1s"},
		{Config{Client: s3, Lease: testLease, Duration: 3 * time.Second, CallTimeout: 2 * time.Second},
			"call timeout 2s must be positive and shorter than the renew deadline 2s"},
	}
	for _, c := range cases {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
	e, err := New(Config{Client: s3, Lease: testLease})
	if err != nil {
		t.Fatal(err)
	}
	if e.duration != DefaultDuration || e.callTimeout != 5*time.Second || e.renewDeadline != 20*time.Second ||
		e.renewEvery != 10*time.Second || e.id.ID == "" {
		t.Fatalf("defaults: %+v", e)
	}
}
