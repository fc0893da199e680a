// Command kmswatch keeps a CloudTrail → CloudWatch Logs → metric filter → alarm → SNS chain
// converged to monitor.yaml. main is thin: it sets up signals and hands the arguments to run.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runReconcile(ctx, args, stdout, stderr)
	case "validate":
		return runValidate(ctx, args, stdout, stderr)
	case "test":
		return runTest(ctx, args, stdout, stderr)
	case "audit":
		return runAudit(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "kmswatch %s\n", version)
		return 0
	case "help":
		usage(stdout)
		return 0
	case "demo":
		return runDemo(ctx, args, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "kmswatch: unknown command %q\n", cmd)
		usage(stderr)
		return exitInvalid
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  kmswatch [run] -f FILE|s3://BUCKET/KEY [--once] [--dry-run] [--interval 1m] [--sandbox]
                 [--endpoint-url URL] [--cloudwatch-protocol cbor|query|json] [--region R]
                 [--listen 127.0.0.1:8080] [--log-format json|console] [--output text|json]
                 [--account-id ID] [--prune-removed-monitors] [-v 1]
                 [--lease s3://BUCKET/KEY] [--lease-duration 30s] [--spec-poll 10s]
  kmswatch validate -f FILE|s3://BUCKET/KEY [--expand] [--strict]
                                     exit 0 valid, 3 invalid (a file is checked offline); --expand
                                     prints the Monitors as applied (presets expanded) as YAML
  kmswatch test -f FILE --events F   offline; which alarms match which CloudTrail events
  kmswatch audit [--region R ...] [--output text|json] [--endpoint-url URL] [--cloudwatch-protocol cbor|query|json]
                                     read-only check of the account against Security Hub CloudWatch.1-14;
                                     exit 0 all pass, 2 some fail, 1 could not read
  kmswatch demo                      the lab end to end against the embedded emulator
  kmswatch healthcheck [--url http://127.0.0.1:8080/healthz]   exit 0 if the URL answers 2xx (container health checks)
  kmswatch version
`)
}
