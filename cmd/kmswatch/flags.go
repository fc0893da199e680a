package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
)

// runFlags are the flags of `kmswatch [run]`, the command line CI jobs and tests rely on.
type runFlags struct {
	file          string
	once          bool
	dryRun        bool
	interval      time.Duration
	sandbox       bool
	endpointURL   string
	cwProtocol    string
	region        string
	accountID     string
	listen        string
	logFormat     string
	output        string
	pruneRemoved  bool
	verbosity     int
	lease         string
	leaseDuration time.Duration
	specPoll      time.Duration
}

// leaseEnv names the variable that gives --lease its default, for task definitions that set
// the environment rather than the command.
const leaseEnv = "KMSWATCH_LEASE"

// minLeaseDuration is the shortest --lease-duration kmswatch accepts. Each S3 call of the lease
// gets a sixth of the duration and a leader must renew within two thirds of it, or stop writing:
// under 3s a call gets under half a second, less than S3's tail latency can take, and leaders
// would lose their lease (and stop repairing) to ordinary network weather.
const minLeaseDuration = 3 * time.Second

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// errUsage is a usage error already reported to stderr by the flag set.
var errUsage = errors.New("usage error")

// parseRunFlags parses and checks the run flags. defaultLogFormat is the format used when
// --log-format is not given (console on a terminal, JSON otherwise). flag.ErrHelp is returned for
// -h; any other error has been written to stderr and means exit code 3.
func parseRunFlags(args []string, stderr io.Writer, defaultLogFormat string) (*runFlags, error) {
	f := &runFlags{}
	fs := flag.NewFlagSet("kmswatch run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.file, "f", "", "the monitor.yaml file, or s3://BUCKET/KEY (required)")
	fs.StringVar(&f.file, "file", "", "same as -f")
	fs.BoolVar(&f.once, "once", false, "run one pass (and the heartbeat) and exit: 0 in sync, 1 could not converge or a pipeline is broken, 2 changes pending (--dry-run), 3 invalid")
	fs.BoolVar(&f.dryRun, "dry-run", false, "plan without applying")
	fs.DurationVar(&f.interval, "interval", time.Minute, "resync interval of the daemon (jittered; drift is noticed within it)")
	fs.BoolVar(&f.sandbox, "sandbox", false, "run against the embedded AWS emulator instead of AWS; no credentials needed")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "AWS endpoint for every service (moto, LocalStack); AWS_ENDPOINT_URL works too")
	fs.StringVar(&f.cwProtocol, "cloudwatch-protocol", "cbor", "wire protocol to CloudWatch: cbor, query (moto) or json")
	fs.StringVar(&f.region, "region", "", "AWS region (default: the spec's spec.region, else the AWS configuration's)")
	fs.StringVar(&f.accountID, "account-id", "", "the AWS account id; default: asked of STS GetCallerIdentity (give it for endpoints without STS)")
	fs.StringVar(&f.listen, "listen", "", "address for /healthz, /readyz, /metrics and /status, e.g. 127.0.0.1:8080")
	fs.StringVar(&f.logFormat, "log-format", defaultLogFormat, "json or console")
	fs.StringVar(&f.output, "output", "text", "--once output on stdout: text or json (JSON lines)")
	fs.BoolVar(&f.pruneRemoved, "prune-removed-monitors", false, "also delete what a Monitor that left the file owned")
	fs.IntVar(&f.verbosity, "v", 0, "log verbosity: 1 adds a line per unchanged resource")
	fs.StringVar(&f.lease, "lease", os.Getenv(leaseEnv), "s3://BUCKET/KEY of a lease object: only its holder writes (every service with more than one task; $"+leaseEnv+")")
	fs.DurationVar(&f.leaseDuration, "lease-duration", lease.DefaultDuration, "how long a lease outlives its holder's last renewal (at least "+minLeaseDuration.String()+")")
	fs.DurationVar(&f.specPoll, "spec-poll", specsource.DefaultPollInterval, "how often a spec in S3 (-f s3://…) is polled for a new version")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	problems := f.check()
	if fs.NArg() > 0 {
		problems = append([]string{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}, problems...)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "kmswatch: %s\n", p)
		}
		return nil, errUsage
	}
	return f, nil
}

// check returns every problem of the flags, each naming its flag.
func (f *runFlags) check() []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if f.file == "" {
		add("-f: the monitor.yaml file is required")
	} else if f.specInS3() {
		if _, err := s3object.ParseURL(f.file); err != nil {
			add("-f: %v", err)
		}
	}
	if !slices.Contains([]string{"cbor", "query", "json"}, f.cwProtocol) {
		add("--cloudwatch-protocol: must be cbor, query or json, got %q", f.cwProtocol)
	}
	if !slices.Contains([]string{logJSON, logConsole}, f.logFormat) {
		add("--log-format: must be json or console, got %q", f.logFormat)
	}
	if !slices.Contains([]string{"text", "json"}, f.output) {
		add("--output: must be text or json, got %q", f.output)
	}
	if f.interval <= 0 {
		add("--interval: must be positive, got %v", f.interval)
	}
	if f.accountID != "" && !accountIDPattern.MatchString(f.accountID) {
		add("--account-id: must be 12 digits, got %q", f.accountID)
	}
	if f.sandbox && f.endpointURL != "" {
		add("--sandbox and --endpoint-url: choose one, the sandbox is its own endpoint")
	}
	if f.lease != "" {
		if _, err := s3object.ParseURL(f.lease); err != nil {
			add("--lease: %v", err)
		}
	}
	if f.leaseDuration < minLeaseDuration {
		add("--lease-duration: %v is too short to be safe: each lease call gets a sixth of it and a leader that cannot renew within two thirds of it stops writing, so under %v ordinary S3 latency would make leaders drop the lease", f.leaseDuration, minLeaseDuration)
	}
	if f.specPoll <= 0 {
		add("--spec-poll: must be positive, got %v", f.specPoll)
	}
	return problems
}

// specInS3 reports whether -f names an S3 object rather than a file.
func (f *runFlags) specInS3() bool { return strings.HasPrefix(f.file, "s3://") }
