package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/daemon"
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

	// The file is loaded here once before anything else: an invalid file is exit 3 before any AWS
	// call, and the region and the sandbox's seeds come from it.
	first, err := loadDaemonSpec(f.file)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: invalid %s:\n%s\n", f.file, indent(err.Error()))
		return exitInvalid
	}

	be, d, err := newDaemon(ctx, f, first, log)
	if err != nil {
		log.Error(daemon.Redact(err), "cannot start")
		return exitFailed
	}
	defer be.close()

	log.Info("kmswatch starting", "version", version, "file", f.file, "once", f.once, "interval", f.interval.String(),
		"dryRun", f.dryRun, "region", be.cfg.Region, "endpoint", daemon.RedactURL(aws.ToString(be.cfg.BaseEndpoint)))
	if f.once {
		res, err := d.Once(ctx)
		return onceOutput(res, err, f, stdout, stderr)
	}
	if be.sandboxURL != "" {
		fmt.Fprint(stderr, sandboxHelp(be.sandboxURL, be.cfg.Region, first.Monitors))
	}
	return runDaemon(ctx, f, d, log)
}

// newDaemon wires the process: where AWS calls go (AWS, an endpoint, or the sandbox), the
// clients with their metrics, the controller and the daemon loop around it.
func newDaemon(ctx context.Context, f *runFlags, first daemon.Spec, log logr.Logger) (*backend, *daemon.Daemon, error) {
	metrics := daemon.NewMetrics()
	be, err := openBackend(ctx, f, first, log)
	if err != nil {
		return nil, nil, fmt.Errorf("set up AWS access: %w", err)
	}
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
	clients := reconcile.NewClients(be.cfg, reconcile.ClientOptions{CloudWatchProtocol: f.cwProtocol, OnCall: metrics.ObserveAWSCall})
	rec := &lazyController{cfg: be.cfg, accountID: be.accountID, clients: clients, log: log,
		opts: reconcile.Options{PruneRemovedMonitors: f.pruneRemoved}}
	d, err := daemon.New(daemon.Options{
		SpecPath: f.file, Load: load, Reconciler: rec, DryRun: f.dryRun, Interval: f.interval,
		Terminal: reconcile.IsTerminal, Log: log, Metrics: metrics,
	})
	if err != nil {
		be.close()
		return nil, nil, err
	}
	return be, d, nil
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

// loadDaemonSpec is spec.Load in the daemon's terms.
func loadDaemonSpec(path string) (daemon.Spec, error) {
	file, err := spec.Load(path)
	if err != nil {
		return daemon.Spec{}, err
	}
	return daemon.Spec{Monitors: file.Monitors, Warnings: specWarnings(file)}, nil
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

// backend is where the AWS calls go: AWS itself (or an endpoint such as moto), or the sandbox.
type backend struct {
	cfg       aws.Config
	accountID string                  // "" means ask STS
	seed      func(ms []spec.Monitor) // sandbox only: create what the spec presumes exists
	close     func()
	// sandboxURL is the emulator's endpoint under --sandbox.
	sandboxURL string
}

// openBackend builds the AWS configuration: the default credential chain and everything the SDK
// reads from the environment (AWS_ENDPOINT_URL included), the region from --region, else the
// configuration, else the spec's first spec.region, and --endpoint-url. With --sandbox, the
// embedded emulator instead (in --region, else the spec's first region).
func openBackend(ctx context.Context, f *runFlags, first daemon.Spec, log logr.Logger) (*backend, error) {
	if f.sandbox {
		region := f.region
		if region == "" {
			region = specRegion(first.Monitors)
		}
		return openSandbox(ctx, region, first, log)
	}
	var opts []func(*config.LoadOptions) error
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		// The default region — that of Monitors without spec.region — is the AWS configuration's
		// (design.md); a file whose Monitors all name theirs needs none configured.
		cfg.Region = specRegion(first.Monitors)
	}
	if f.endpointURL != "" {
		cfg.BaseEndpoint = aws.String(f.endpointURL)
	}
	return &backend{cfg: cfg, accountID: f.accountID, close: func() {}}, nil
}

// specRegion is the first spec.region of the file: the default region (that of Monitors without
// spec.region) when neither --region nor the AWS configuration gives one. Every Monitor with a
// spec.region is reconciled in it, with clients of the same configuration.
func specRegion(ms []spec.Monitor) string {
	for _, m := range ms {
		if m.Spec.Region != "" {
			return m.Spec.Region
		}
	}
	return ""
}

// lazyController creates the controller on the first pass, because it needs the account id and
// STS may be unreachable at start: then the daemon's backoff retries it like any failed pass.
type lazyController struct {
	cfg       aws.Config
	accountID string
	clients   reconcile.Clients
	log       logr.Logger
	opts      reconcile.Options
	ctrl      *reconcile.Controller
}

func (l *lazyController) Reconcile(ctx context.Context, monitors []spec.Monitor, dryRun bool) (*reconcile.Result, error) {
	if l.ctrl == nil {
		env, err := reconcile.ResolveEnv(ctx, l.cfg, l.accountID)
		if err != nil {
			return nil, err
		}
		// The daemon logs each change with its fields; the controller's own lines are detail.
		l.ctrl = reconcile.NewController(l.clients, env, l.log.WithName("controller").V(1), l.opts)
	}
	return l.ctrl.Reconcile(ctx, monitors, dryRun)
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
