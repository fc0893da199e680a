package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/daemon"
	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
	"github.com/kmswatch/kmswatch/spec"
)

// runReconcile is `kmswatch [run]`: the daemon, or one pass with --once. It returns the exit code.
func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr, defaultLogFormat(stderr))
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitInvalid
	}
	log, flush, err := newLogger(stderr, f.logFormat, f.verbosity)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: %v\n", err)
		return exitInvalid
	}
	defer flush()

	w, code := setUp(ctx, f, log, stderr)
	if w == nil {
		return code
	}
	defer w.be.close()

	log.Info("kmswatch starting", "version", version, "spec", f.file, "once", f.once, "interval", f.interval.String(),
		"dryRun", f.dryRun, "region", w.be.cfg.Region, "endpoint", daemon.RedactURL(aws.ToString(w.be.cfg.BaseEndpoint)), "lease", f.lease)
	if f.once {
		return onePass(ctx, f, w, stdout, stderr)
	}
	if w.be.sandboxURL != "" {
		fmt.Fprint(stderr, sandboxHelp(w.be.sandboxURL, w.be.cfg.Region, w.first.Monitors))
	}
	return runDaemon(ctx, f, w.d, log)
}

// wiring is the process, wired: where AWS calls go, the spec's source, the lease, the daemon.
type wiring struct {
	be    *backend
	first firstSpec
	el    *lease.Elector // nil without --lease, and under --dry-run
	d     *daemon.Daemon
}

// setUp builds the process. A spec file is loaded before anything else: an invalid file is exit 3
// before any AWS call, and the region and the sandbox's seeds come from it. A spec in S3 is read
// once AWS access is set up. On failure it has reported the problem and returns the exit code.
func setUp(ctx context.Context, f *runFlags, log logr.Logger, stderr io.Writer) (*wiring, int) {
	w := &wiring{}
	var src specsource.Source
	if !f.specInS3() {
		src = specsource.NewFile(f.file)
		first, err := loadFirst(ctx, src, loadDaemonBytes)
		if err != nil {
			return nil, specFailure(stderr, log, f.file, err)
		}
		w.first = first
	}
	metrics := daemon.NewMetrics()
	be, err := openBackend(ctx, f, w.first.Spec, log)
	if err != nil {
		log.Error(daemon.Redact(err), "cannot start: set up AWS access")
		if isInvalid(err) {
			return nil, exitInvalid
		}
		return nil, exitFailed
	}
	w.be = be
	s3c := awsclient.NewS3(be.cfg, awsclient.Options{OnCall: metrics.ObserveAWSCall})
	if f.specInS3() {
		if src, err = openS3Spec(ctx, f, s3c, be, stderr); err == nil {
			w.first, err = loadFirst(ctx, src, loadDaemonBytes)
		}
		if err != nil {
			be.close()
			if ctx.Err() != nil { // interrupted while the sandbox waited for the upload
				log.Info("stopped")
				return nil, exitOK
			}
			return nil, specFailure(stderr, log, f.file, err)
		}
		if be.seed != nil {
			be.seed(w.first.Monitors)
		}
	}
	if w.el, err = newElector(ctx, f, s3c, be, w.first, log); err == nil {
		w.d, err = newDaemon(f, be, src, w.el, metrics, log)
	}
	if err != nil {
		be.close()
		log.Error(daemon.Redact(err), "cannot start")
		return nil, exitFailed
	}
	return w, exitOK
}

// openS3Spec is the source of -f s3://BUCKET/KEY. In the sandbox, whose S3 starts empty, it
// creates the bucket and waits for the spec to be uploaded.
func openS3Spec(ctx context.Context, f *runFlags, s3c *s3.Client, be *backend, stderr io.Writer) (specsource.Source, error) {
	loc, err := s3object.ParseURL(f.file)
	if err != nil {
		return nil, &specError{invalid: true, err: err}
	}
	src := specsource.NewS3(s3c, loc)
	if be.seedBucket != nil {
		be.seedBucket(loc.Bucket)
		if err := awaitSandboxSpec(ctx, src, be, min(f.specPoll, time.Second), stderr); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// newElector is the lease of --lease, or nil: without --lease every process is its own leader,
// and a dry run writes nothing, so it neither needs the lease nor may take it from a writer.
func newElector(ctx context.Context, f *runFlags, s3c *s3.Client, be *backend, first firstSpec, log logr.Logger) (*lease.Elector, error) {
	if f.lease == "" {
		return nil, nil
	}
	if f.dryRun {
		log.Info("dry run: the lease is neither needed nor taken, since a dry run writes nothing", "lease", f.lease)
		return nil, nil
	}
	loc, err := s3object.ParseURL(f.lease)
	if err != nil {
		return nil, err
	}
	if be.seedBucket != nil {
		be.seedBucket(loc.Bucket)
	}
	id, err := lease.DetectIdentity(ctx, os.Getenv, nil)
	if err != nil {
		log.Error(err, "the ECS task is not known: the lease record names the host only")
	}
	return lease.New(lease.Config{Client: s3c, Lease: loc, Duration: f.leaseDuration, Identity: id,
		SpecDigest: first.version.SHA256, Log: log})
}

// newDaemon builds the clients with their metrics (and, with a lease, the write gate that asks
// it before every write), the controller and the daemon loop around it.
func newDaemon(f *runFlags, be *backend, src specsource.Source, el *lease.Elector, metrics *daemon.Metrics, log logr.Logger) (*daemon.Daemon, error) {
	load := loadDaemonBytes
	if be.seed != nil {
		// In the sandbox, whatever a later edit presumes (a new bucket or role) is seeded too.
		load = func(data []byte, name string) (daemon.Spec, error) {
			s, err := loadDaemonBytes(data, name)
			if err == nil {
				be.seed(s.Monitors)
			}
			return s, err
		}
	}
	opts := awsclient.Options{CloudWatchProtocol: f.cwProtocol, OnCall: metrics.ObserveAWSCall}
	if el != nil {
		opts.WriteGate = func(ctx context.Context, _, _ string) (context.Context, context.CancelFunc, error) {
			return el.Guard(ctx)
		}
	}
	clients := awsclient.New(be.cfg, opts)
	rec := &lazyController{cfg: be.cfg, accountID: be.accountID, clients: clients, log: log,
		// Each process is its own instance in the marker of its writes, by which two kmswatch
		// processes with different specs of one Monitor notice each other (a contest warning
		// names both instances).
		opts: reconcile.Options{PruneRemovedMonitors: f.pruneRemoved, Instance: reconcile.NewInstanceID()}}
	poll := time.Duration(0) // the daemon's default for a file
	if f.specInS3() {
		poll = f.specPoll
	}
	return daemon.New(daemon.Options{
		Source: src, Load: load, Reconciler: rec, DryRun: f.dryRun, Interval: f.interval, PollInterval: poll,
		Terminal: reconcile.IsTerminal, Log: log, Metrics: metrics, Lease: el,
	})
}

// onePass is --once: one pass, under the lease when there is one (it is taken for the pass and
// released after, or the pass is not run and the holder named), and its output.
func onePass(ctx context.Context, f *runFlags, w *wiring, stdout, stderr io.Writer) int {
	if w.el == nil {
		res, err := w.d.Once(ctx)
		return onceOutput(res, err, f, stdout, stderr)
	}
	var res *reconcile.Result
	err := w.el.Hold(ctx, 0, func(term context.Context) error {
		var err error
		res, err = w.d.Once(term)
		return err
	})
	var held *lease.HeldError
	if errors.As(err, &held) {
		fmt.Fprintf(stderr, "kmswatch: %v: another kmswatch applies its spec now, so this pass does not run (a --dry-run needs no lease)\n", daemon.Redact(err))
		return exitFailed
	}
	return onceOutput(res, err, f, stdout, stderr)
}

// runDaemon runs the daemon, with the operations endpoints on --listen, until ctx ends; it returns
// the exit code.
func runDaemon(ctx context.Context, f *runFlags, d *daemon.Daemon, log logr.Logger) int {
	if f.listen != "" {
		ln, err := net.Listen("tcp", f.listen)
		if err != nil {
			log.Error(err, "cannot listen", "address", f.listen)
			return exitFailed
		}
		log.Info("serving /healthz /readyz /metrics /status", "address", ln.Addr().String())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := daemon.Serve(ctx, ln, d.Handler()); err != nil {
				log.Error(err, "operations server stopped")
			}
		}()
		defer wg.Wait()
	}
	if err := d.Run(ctx); err != nil {
		log.Error(daemon.Redact(err), "stopped")
		if isInvalid(err) {
			return exitInvalid
		}
		return exitFailed
	}
	log.Info("stopped")
	return exitOK
}

// onceOutput prints a --once pass on stdout (warnings and errors on stderr) and returns its exit code.
func onceOutput(res *reconcile.Result, err error, f *runFlags, stdout, stderr io.Writer) int {
	if isInvalid(err) && res == nil { // the spec did not load: no pass ran
		fmt.Fprintf(stderr, "kmswatch: invalid %s:\n%s\n", f.file, indent(specProblems(err)))
		return exitInvalid
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "kmswatch: interrupted before the pass finished; run it again to converge")
		return exitFailed
	}
	write := writeText
	if f.output == "json" {
		write = writeJSON
	}
	if werr := write(stdout, res, f.dryRun); werr != nil {
		fmt.Fprintf(stderr, "kmswatch: write output: %v\n", werr)
		return exitFailed
	}
	_ = writeWarnings(stderr, res)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: %v\n", daemon.Redact(err))
	}
	return exitCode(res, err, f.dryRun)
}

// loadDaemonBytes is spec.LoadBytes in the daemon's terms.
func loadDaemonBytes(data []byte, name string) (daemon.Spec, error) {
	file, err := spec.LoadBytes(data, name)
	if err != nil {
		return daemon.Spec{}, err
	}
	return daemon.Spec{Monitors: file.Monitors, Warnings: specWarnings(file)}, nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// lazyController creates the controller on the first pass, because it needs the account id and
// STS may be unreachable at start: then the daemon's backoff retries it like any failed pass.
type lazyController struct {
	cfg       aws.Config
	accountID string
	clients   awsclient.Clients
	log       logr.Logger
	opts      reconcile.Options
	ctrl      *reconcile.Controller
}

func (l *lazyController) Reconcile(ctx context.Context, monitors []spec.Monitor, dryRun bool) (*reconcile.Result, error) {
	if err := l.start(ctx); err != nil {
		return nil, err
	}
	return l.ctrl.Reconcile(ctx, monitors, dryRun)
}

// Heartbeat makes the heartbeat (daemon.Heartbeater), creating the controller if no pass has yet.
func (l *lazyController) Heartbeat(ctx context.Context, monitors []spec.Monitor) ([]reconcile.Heartbeat, error) {
	if err := l.start(ctx); err != nil {
		return nil, err
	}
	return l.ctrl.Heartbeat(ctx, monitors)
}

func (l *lazyController) start(ctx context.Context) error {
	if l.ctrl != nil {
		return nil
	}
	env, err := reconcile.ResolveEnv(ctx, l.cfg, l.accountID)
	if err != nil {
		return err
	}
	// The daemon logs each change with its fields; the controller's own lines are detail.
	l.ctrl = reconcile.NewController(l.clients, env, l.log.WithName("controller").V(1), l.opts)
	return nil
}

// specWarnings are a file's warnings as the daemon reports them, each naming its Monitor and
// keeping its field path.
func specWarnings(file *spec.File) []reconcile.Warning {
	out := make([]reconcile.Warning, 0, len(file.Warnings))
	for _, w := range file.Warnings {
		id := "Spec"
		if w.Doc > 0 && w.Doc <= len(file.Monitors) {
			id = "Monitor/" + file.Monitors[w.Doc-1].Metadata.Name
		}
		out = append(out, reconcile.Warning{ID: id, Field: w.Path, Message: w.Msg})
	}
	return out
}

// isInvalid reports whether err says the configuration itself is wrong (exit code 3).
func isInvalid(err error) bool {
	var te *reconcile.TerminalError
	return errors.As(err, &te) && te.Invalid
}

// specProblems is the text of a spec that did not load: its problems, one a line.
func specProblems(err error) string {
	var list spec.ErrorList
	if errors.As(err, &list) {
		return list.Error()
	}
	return err.Error()
}
