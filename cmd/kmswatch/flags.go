package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"
)

// runFlags are the flags of `kmswatch [run]`, the command line CI jobs and tests rely on.
type runFlags struct {
	file         string
	once         bool
	dryRun       bool
	interval     time.Duration
	sandbox      bool
	endpointURL  string
	cwProtocol   string
	region       string
	accountID    string
	listen       string
	logFormat    string
	output       string
	pruneRemoved bool
	verbosity    int
}

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
	fs.StringVar(&f.file, "f", "", "the monitor.yaml file (required)")
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if f.file == "" {
		problems = append(problems, "-f: the monitor.yaml file is required")
	}
	if !slices.Contains([]string{"cbor", "query", "json"}, f.cwProtocol) {
		problems = append(problems, fmt.Sprintf("--cloudwatch-protocol: must be cbor, query or json, got %q", f.cwProtocol))
	}
	if !slices.Contains([]string{logJSON, logConsole}, f.logFormat) {
		problems = append(problems, fmt.Sprintf("--log-format: must be json or console, got %q", f.logFormat))
	}
	if !slices.Contains([]string{"text", "json"}, f.output) {
		problems = append(problems, fmt.Sprintf("--output: must be text or json, got %q", f.output))
	}
	if f.interval <= 0 {
		problems = append(problems, fmt.Sprintf("--interval: must be positive, got %v", f.interval))
	}
	if f.accountID != "" && !accountIDPattern.MatchString(f.accountID) {
		problems = append(problems, fmt.Sprintf("--account-id: must be 12 digits, got %q", f.accountID))
	}
	if f.sandbox && f.endpointURL != "" {
		problems = append(problems, "--sandbox and --endpoint-url: choose one, the sandbox is its own endpoint")
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "kmswatch: %s\n", p)
		}
		return nil, errUsage
	}
	return f, nil
}
