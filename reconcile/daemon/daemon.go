package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/redact"
)

// Reconciler runs one pass over every Monitor: *reconcile.Controller is one.
type Reconciler interface {
	Reconcile(ctx context.Context, monitors []spec.Monitor, dryRun bool) (*reconcile.Result, error)
}

// Spec is a loaded spec.
type Spec struct {
	Monitors []spec.Monitor
	// Warnings are problems that do not stop the file from loading, with their field paths.
	Warnings []reconcile.Warning
}

// LoadFunc reads and validates a spec's content; name is where it came from (a path, or
// s3://BUCKET/KEY), for messages. spec.LoadBytes wrapped.
type LoadFunc = specsource.LoadFunc[Spec]

// Options configure a Daemon. Source (or SpecPath), Load and Reconciler are required.
type Options struct {
	// Source is where the spec comes from: a file (specsource.NewFile) or an S3 object
	// (specsource.NewS3). SpecPath is the short form for a file.
	Source   specsource.Source
	SpecPath string
	Load     LoadFunc
	// Reconciler runs the passes. Its AWS writes must go through the lease's write gate
	// (awsclient.Options.WriteGate → Lease.Guard) when Lease is set.
	Reconciler Reconciler
	// DryRun plans without applying: the daemon then only reports drift.
	DryRun bool
	// Interval between resyncs after a successful pass; default 1m.
	Interval time.Duration
	// PollInterval of the spec source; default 200ms, which suits a file (an S3 spec is
	// polled every --spec-poll, default specsource.DefaultPollInterval).
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
	// Lease, if set, is the election this daemon takes part in (kmswatch --lease): it runs
	// passes, and makes heartbeats, only while it leads, each under the term's context, and
	// releases the lease when Run returns. Nil: this process is its own leader.
	Lease *lease.Elector
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
	watcher *specsource.Watcher[Spec]
	lease   *lease.Elector
	// heartbeater makes the heartbeat: the Reconciler, when it is one.
	heartbeater Heartbeater

	// Owned by the goroutine running Run or Once.
	cur       *specsource.Loaded[Spec]
	redactor  *redact.Redactor // knows the endpoints of the spec in force
	converged string           // digest of the spec the account was last converged to, in this term
	warned    map[reconcile.Warning]bool
	nextBeat  time.Time                  // when the next heartbeat is due (zero: at once)
	pipelines map[string]pipeline.Status // each Monitor's pipeline status, for logging changes
}

// New checks the options and fills in defaults.
func New(opts Options) (*Daemon, error) {
	if opts.Source == nil && opts.SpecPath != "" {
		opts.Source = specsource.NewFile(opts.SpecPath)
	}
	if opts.Source == nil || opts.Load == nil || opts.Reconciler == nil {
		return nil, errors.New("new daemon: a spec Source (or SpecPath), Load and Reconciler are required")
	}
	setDefaults(&opts)
	d := &Daemon{opts: opts, log: opts.Log, metrics: opts.Metrics, now: time.Now, rnd: defaultRand, lease: opts.Lease,
		pipelines: map[string]pipeline.Status{}}
	d.heartbeater, _ = opts.Reconciler.(Heartbeater)
	d.status = newStatusBook(d.live)
	w, err := specsource.NewWatcher(opts.Source, markLoad(opts.Load), specsource.Options{
		Interval: opts.PollInterval, Log: opts.Log, OnRejected: d.rejected,
	})
	if err != nil {
		return nil, fmt.Errorf("new daemon: %w", err)
	}
	d.watcher = w
	if d.lease != nil {
		d.metrics.Registry.MustRegister(d.lease.Collector())
	} else {
		d.metrics.Registry.MustRegister(soleLeaderCollector())
	}
	return d, nil
}

func setDefaults(opts *Options) {
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
}

// Metrics returns the daemon's series.
func (d *Daemon) Metrics() *Metrics { return d.metrics }

// Status returns a snapshot of what /status serves.
func (d *Daemon) Status() Status { return d.status.snapshot() }

// Once loads the spec and runs one pass, then makes the heartbeat (not under --dry-run):
// kmswatch --once. The result is returned even when err is set, with what the pass did before
// it failed; a failed heartbeat is an error too, and shows on its Monitors' pipelines. With a
// lease, the caller runs Once under the lease's Hold and passes the term's context: the pass
// ends with the term.
func (d *Daemon) Once(ctx context.Context) (*reconcile.Result, error) {
	if err := d.loadInitial(ctx); err != nil {
		return nil, err
	}
	res, err := d.pass(ctx, ctx)
	if d.heartbeatEvery() == 0 || ctx.Err() != nil || d.Leadership().Check() != nil {
		return res, err
	}
	beats, hbErr := d.heartbeater.Heartbeat(ctx, d.cur.Spec.Monitors)
	d.recordHeartbeats(beats)
	markHeartbeats(res, beats)
	return res, errors.Join(err, hbErr)
}

// Run loads the spec and keeps the account converged to it until ctx is cancelled, when it
// returns nil. It returns a *reconcile.TerminalError marked Invalid if the spec does not load
// at start: a daemon started on a broken spec has nothing good to enforce, and failing fast
// says so (Prometheus does the same with its configuration; a later broken edit is only
// rejected).
//
// With a lease, Run takes part in the election from the start and runs passes only in its
// terms as leader; a standby polls its spec and makes no other call. When ctx ends, the pass
// in flight is stopped first and the lease released after, so that no write of this process
// can follow its release.
func (d *Daemon) Run(ctx context.Context) error {
	if err := d.loadInitial(ctx); err != nil {
		return err
	}
	specs := make(chan *specsource.Loaded[Spec])
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go d.watcher.Run(watchCtx, specs)
	if d.lease != nil {
		stopLease := d.runLease(ctx)
		defer stopLease()
	}
	for {
		term, endTerm := d.awaitTerm(ctx, specs)
		if term == nil {
			return nil
		}
		d.runTerm(ctx, term, specs)
		endTerm()
		if ctx.Err() != nil {
			return nil
		}
	}
}

// runTerm runs passes while this process leads: the first at once, then one every interval,
// sooner after a spec change, with backoff after failures. It returns when the term ends
// (shutdown, or the lease lost).
func (d *Daemon) runTerm(ctx, term context.Context, specs <-chan *specsource.Loaded[Spec]) {
	var (
		failures int           // consecutive failed passes, for the "recovered" line
		step     int           // backoff step; a spec change starts it again
		wait     time.Duration // 0: the first pass starts at once
	)
	// What the account was converged to in an earlier term says nothing now: another leader
	// may have applied another spec since.
	d.converged = ""
	for {
		ok, edited := d.waitForPass(term, wait, specs)
		if !ok {
			return
		}
		if edited {
			step = 0
		}
		started := d.now()
		_, err := d.pass(ctx, term)
		d.beat(term)
		switch {
		case term.Err() != nil || d.lostLease(err):
			return
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

// waitForPass waits wait, or less if a new spec loads: a new spec deserves a prompt pass even
// after a terminal error, since the edit may be the fix. The heartbeat falls due on its own
// schedule meanwhile. ok is false when ctx is done; edited says a new spec was loaded.
func (d *Daemon) waitForPass(ctx context.Context, wait time.Duration, specs <-chan *specsource.Loaded[Spec]) (ok, edited bool) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
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
		case l := <-specs:
			beat.Stop()
			d.setSpec(l)
			return true, true
		}
	}
}

// newReconcileID returns a short random id that ties together the log lines of one pass.
func newReconcileID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
