package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
)

// Leadership is the question every writer in the daemon asks before it writes to AWS: may this
// process write now? The reconcile pass asks it through the clients' write gate; anything else
// the daemon runs that writes (a heartbeat, say) asks it too. With --lease it is the elector
// (lease.Elector.Check: the lease is held and within its renew deadline); without, this
// process is its own leader and the answer is always yes.
type Leadership interface {
	// Check returns nil while this process may write, and an error saying why not otherwise.
	Check() error
}

// Leadership returns the daemon's answer to "may this process write now?".
func (d *Daemon) Leadership() Leadership {
	if d.lease != nil {
		return d.lease
	}
	return soleLeader{}
}

// soleLeader is a process that runs without a lease: its own leader.
type soleLeader struct{}

func (soleLeader) Check() error { return nil }

// soleLeaderCollector exports the lease series of a process without a lease: kmswatch_leader 1,
// and no transitions, so that dashboards and alerts read the same series either way.
func soleLeaderCollector() prometheus.Collector {
	leader := prometheus.NewGauge(prometheus.GaugeOpts{Name: "kmswatch_leader",
		Help: "1 while this kmswatch holds the lease and may write, 0 while it stands by (1 without --lease)."})
	leader.Set(1)
	transitions := prometheus.NewCounter(prometheus.CounterOpts{Name: "kmswatch_lease_transitions_total",
		Help: "Times this kmswatch has seen the lease pass from one holder to another."})
	return collectorSet{leader, transitions}
}

type collectorSet []prometheus.Collector

func (c collectorSet) Describe(ch chan<- *prometheus.Desc) {
	for _, x := range c {
		x.Describe(ch)
	}
}

func (c collectorSet) Collect(ch chan<- prometheus.Metric) {
	for _, x := range c {
		x.Collect(ch)
	}
}

// runLease takes part in the election until the returned function is called, which releases
// the lease (if held) and waits for that. It is called only once the pass loop has stopped, so
// that no write of this process follows its release.
func (d *Daemon) runLease(ctx context.Context) (stop func()) {
	leaseCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.lease.Run(leaseCtx); err != nil {
			d.log.Error(err, "the lease could not be released: other replicas take it over once it expires")
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// awaitTerm returns once this process leads, with the term's context (it ends with the term)
// and its cancel function; without a lease, at once, with ctx itself. Meanwhile it keeps the
// spec current. It returns a nil context when ctx ends first.
func (d *Daemon) awaitTerm(ctx context.Context, specs <-chan *specsource.Loaded[Spec]) (context.Context, context.CancelFunc) {
	if d.lease == nil {
		return ctx, func() {}
	}
	for {
		term, cancel, err := d.lease.TermContext(ctx)
		if err == nil {
			return term, cancel
		}
		// Elected is closed while the last step found this process leading; when Check says
		// otherwise (the renew deadline passed before the next step), look again shortly
		// rather than spin.
		elected := d.lease.Elected()
		var recheck <-chan time.Time
		select {
		case <-elected:
			elected, recheck = nil, time.After(50*time.Millisecond)
		default:
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case l := <-specs:
			d.setSpec(l)
		case <-elected:
		case <-recheck:
		}
	}
}

// lostLease reports whether a pass failed because this process no longer leads: its writes
// were refused by the write gate. The term is over; that is not the pass's failure.
func (d *Daemon) lostLease(err error) bool {
	return err != nil && d.lease != nil && (errors.Is(err, lease.ErrNotLeader) || d.lease.Check() != nil)
}

// leaseStatus is /status's "lease": the elector's view, or a process that is its own leader.
func (d *Daemon) leaseStatus() *lease.Status {
	if d.lease == nil {
		return &lease.Status{Role: lease.RoleLeader}
	}
	st := d.lease.Status()
	return &st
}

// standingBy reports a standby that knows the lease is held by a live holder: it is ready (an
// ECS health check must pass), though it runs no pass.
func (d *Daemon) standingBy() bool {
	if d.lease == nil {
		return false
	}
	st := d.lease.Status()
	return st.Role == lease.RoleStandby && st.LastError == "" && st.Holder != ""
}

// live fills the parts of /status that are read when it is served: the lease, and the spec
// source's rejected edit and read error.
func (d *Daemon) live(s *Status) {
	s.Lease = d.leaseStatus()
	if d.standingBy() {
		s.Ready = true
	}
	ws := d.watcher.Status()
	if r := ws.Rejected; r != nil {
		s.RejectedEdit = &RejectedEdit{SHA256: r.Version.SHA256, ETag: r.Version.ETag, VersionID: r.Version.VersionID, At: r.At, Error: r.Error, Missing: r.Missing}
	}
	if s.Spec != nil {
		spec := *s.Spec
		spec.ReadError = ws.ReadError
		if ws.Version.SHA256 == spec.SHA256 {
			spec.Version = ws.Version // the same content under a newer ETag
		}
		s.Spec = &spec
	}
}
