package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/redact"
)

// Reconciler runs one pass over every Monitor: *reconcile.Controller is one.
type Reconciler interface {
	Reconcile(ctx context.Context, monitors []spec.Monitor, dryRun bool) (*reconcile.Result, error)
}

// Spec is a loaded spec file.
type Spec struct {
	Monitors []spec.Monitor
	// Warnings are problems that do not stop the file from loading, with their field paths.
	Warnings []reconcile.Warning
}

// LoadFunc reads and validates the spec file at path; spec.Load wrapped.
type LoadFunc func(path string) (Spec, error)

// Options configure a Daemon. SpecPath, Load and Reconciler are required.
type Options struct {
	SpecPath   string
	Load       LoadFunc
	Reconciler Reconciler
	// DryRun plans without applying: the daemon then only reports drift.
	DryRun bool
	// Interval between resyncs after a successful pass; default 1m.
	Interval time.Duration
	// PollInterval of the spec file; default 200ms.
	PollInterval time.Duration
	// BackoffBase and BackoffCap bound the retries after a failed pass; default 1s and 5m. A
	// terminal error is retried only after a spec change or BackoffCap.
	BackoffBase, BackoffCap time.Duration
	// PassTimeout bounds one pass, so that a hung connection cannot stall the loop; default 5m.
	PassTimeout time.Duration
	// Terminal reports errors that retrying cannot fix (invalid configuration, access denied).
	// Nil means none is.
	Terminal func(error) bool
	Log      logr.Logger
	// Metrics, if nil, are created; a caller passes its own to wire ObserveAWSCall into the AWS
	// clients before the daemon exists.
	Metrics *Metrics
	// IsLeader, if set, is asked before each heartbeat: only the leader heartbeats (a standby
	// feeding the switch would hide a dead leader). Nil: this instance always leads.
	IsLeader func() bool
	// HeartbeatEvery, if positive, replaces the spec's shortest spec.heartbeat.every as the
	// daemon's heartbeat period (Monitors without spec.heartbeat never get one).
	HeartbeatEvery time.Duration
}

// Daemon is the reconcile loop with its status and metrics.
type Daemon struct {
	opts    Options
	log     logr.Logger
	metrics *Metrics
	status  *statusBook
	now     func() time.Time
	rnd     func() float64

	// heartbeater makes the heartbeat: the Reconciler, when it is one.
	heartbeater Heartbeater

	// Owned by the goroutine running Run or Once.
	cur       *loadedSpec
	redactor  *redact.Redactor // knows the endpoints of the spec in force
	converged string           // digest of the spec the account was last converged to
	warned    map[reconcile.Warning]bool
	nextBeat  time.Time                  // when the next heartbeat is due (zero: at once)
	pipelines map[string]pipeline.Status // each Monitor's pipeline status, for logging changes
}

// loadedSpec is a spec that loaded and the file state it was loaded from.
type loadedSpec struct {
	Spec
	file     fileState
	loadedAt time.Time
}

// New checks the options and fills in defaults.
func New(opts Options) (*Daemon, error) {
	if opts.SpecPath == "" || opts.Load == nil || opts.Reconciler == nil {
		return nil, errors.New("new daemon: SpecPath, Load and Reconciler are required")
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = time.Second
	}
	if opts.BackoffCap <= 0 {
		opts.BackoffCap = 5 * time.Minute
	}
	if opts.PassTimeout <= 0 {
		opts.PassTimeout = 5 * time.Minute
	}
	if opts.Terminal == nil {
		opts.Terminal = func(error) bool { return false }
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	hb, _ := opts.Reconciler.(Heartbeater)
	return &Daemon{
		opts:        opts,
		log:         opts.Log,
		metrics:     opts.Metrics,
		status:      newStatusBook(),
		now:         time.Now,
		rnd:         defaultRand,
		heartbeater: hb,
		pipelines:   map[string]pipeline.Status{},
	}, nil
}

// Metrics returns the daemon's series.
func (d *Daemon) Metrics() *Metrics { return d.metrics }

// Status returns a snapshot of what /status serves.
func (d *Daemon) Status() Status { return d.status.snapshot() }

// Once loads the spec and runs one pass, then makes the heartbeat (not under --dry-run): kmswatch
// --once. The result is returned even when err is set, with what the pass did before it failed;
// a failed heartbeat is an error too, and shows on its Monitors' pipelines.
func (d *Daemon) Once(ctx context.Context) (*reconcile.Result, error) {
	if err := d.loadInitial(); err != nil {
		return nil, err
	}
	res, err := d.pass(ctx)
	if d.heartbeatEvery() == 0 || ctx.Err() != nil || (d.opts.IsLeader != nil && !d.opts.IsLeader()) {
		return res, err
	}
	beats, hbErr := d.heartbeater.Heartbeat(ctx, d.cur.Monitors)
	d.recordHeartbeats(beats)
	markHeartbeats(res, beats)
	return res, errors.Join(err, hbErr)
}

// Run loads the spec and keeps the account converged to it until ctx is cancelled, when it
// returns nil. It returns a *reconcile.TerminalError marked Invalid if the spec does not load at start: a daemon
// started on a broken file has nothing good to enforce, and failing fast says so (Prometheus
// does the same with its configuration; a later broken edit is only rejected).
func (d *Daemon) Run(ctx context.Context) error {
	if err := d.loadInitial(); err != nil {
		return err
	}
	changed := make(chan struct{}, 1)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go watchFile(watchCtx, d.opts.SpecPath, d.opts.PollInterval, d.cur.file, changed)

	var (
		failures int           // consecutive failed passes, for the "recovered" line
		step     int           // backoff step; a spec change starts it again
		wait     time.Duration // 0: the first pass starts at once
	)
	for {
		ok, edited := d.waitForPass(ctx, wait, changed)
		if !ok {
			return nil
		}
		if edited {
			step = 0
		}
		started := d.now()
		_, err := d.pass(ctx)
		d.beat(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			if failures > 0 {
				d.log.Info("recovered", "failedPasses", failures)
			}
			failures = 0
			wait = resyncWait(d.now(), started, d.opts.Interval, d.rnd)
		case d.opts.Terminal(err):
			failures++
			wait = d.opts.BackoffCap
			d.log.Info("waiting for a spec change before retrying: this error does not go away by itself",
				"retryIn", wait.String())
		default:
			failures++
			step++
			wait = backoff(step, d.opts.BackoffBase, d.opts.BackoffCap, d.rnd)
			d.log.Info("retrying after backoff", "retryIn", wait.Round(time.Millisecond).String(), "failedPasses", failures)
		}
	}
}

// waitForPass waits wait, or less if the spec file changes and its edit loads: a new spec
// deserves a prompt pass even after a terminal error, since the edit may be the fix. An edit that
// does not load is rejected and the wait goes on. ok is false when ctx is done; edited says a
// new spec was loaded.
func (d *Daemon) waitForPass(ctx context.Context, wait time.Duration, changed <-chan struct{}) (ok, edited bool) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		// The heartbeat falls due on its own schedule while the loop waits.
		beat := time.NewTimer(time.Hour)
		beat.Stop()
		if due, on := d.heartbeatDue(); on {
			beat.Reset(due)
		}
		select {
		case <-ctx.Done():
			beat.Stop()
			return false, false
		case <-timer.C:
			beat.Stop()
			return true, false
		case <-beat.C:
			d.beat(ctx)
		case <-changed:
			beat.Stop()
			if d.reload() {
				return true, true
			}
		}
	}
}

// loadInitial loads the spec at start.
func (d *Daemon) loadInitial() error {
	st := snapshot(d.opts.SpecPath)
	s, err := d.opts.Load(d.opts.SpecPath)
	if err != nil {
		return &reconcile.TerminalError{Invalid: true, Err: fmt.Errorf("load spec %s: %w", d.opts.SpecPath, err)}
	}
	d.setSpec(s, st)
	return nil
}

// reload loads an edited spec file. It reports whether the edit was applied.
func (d *Daemon) reload() bool {
	st := snapshot(d.opts.SpecPath)
	s, err := d.opts.Load(d.opts.SpecPath)
	if err != nil {
		d.metrics.observeReload(false)
		d.log.Error(err, "spec edit rejected: the previous spec stays in force",
			"path", d.opts.SpecPath, "sha256", st.Digest, "inForce", d.cur.file.Digest)
		d.status.editRejected(&RejectedEdit{SHA256: st.Digest, At: d.now(), Error: err.Error()})
		return false
	}
	d.metrics.observeReload(true)
	d.log.Info("spec changed", "path", d.opts.SpecPath, "sha256", st.Digest, "monitors", len(s.Monitors))
	d.setSpec(s, st)
	return true
}

func (d *Daemon) setSpec(s Spec, st fileState) {
	d.cur = &loadedSpec{Spec: s, file: st, loadedAt: d.now()}
	d.redactor = redact.New(endpoints(s.Monitors)...)
	names := monitorNames(s.Monitors)
	for _, w := range s.Warnings {
		d.log.Info("spec warning", "id", w.ID, "field", w.Field, "warning", w.Message)
	}
	d.status.specLoaded(&SpecStatus{Path: d.opts.SpecPath, SHA256: st.Digest, LoadedAt: d.cur.loadedAt, Monitors: names}, slices.Clone(s.Warnings))
}

// monitorNames are the Monitors' names, in file order.
func monitorNames(ms []spec.Monitor) []string {
	names := make([]string, 0, len(ms))
	for _, m := range ms {
		names = append(names, m.Metadata.Name)
	}
	return names
}

// newReconcileID returns a short random id that ties together the log lines of one pass.
func newReconcileID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// endpoints are the subscription endpoints of monitors, as they are subscribed: what an AWS error
// may echo back, and what no output may print.
func endpoints(monitors []spec.Monitor) []string {
	var out []string
	for _, m := range monitors {
		for _, t := range m.Spec.Topics {
			for _, s := range t.Subscriptions {
				out = append(out, s.Target())
			}
		}
	}
	return out
}
