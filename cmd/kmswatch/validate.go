package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/redact"
)

// runValidate is `kmswatch validate -f FILE|s3://BUCKET/KEY [--expand] [--strict]`: load and
// validate. A file is checked offline; an S3 object is read first (with the SDK's usual
// configuration, --region and --endpoint-url). Exit 0 when valid (warnings on stderr), 3 when
// invalid or missing, with one problem per line on stderr, 1 when S3 cannot be read. With
// --expand, stdout is the Monitors as they will be applied — presets expanded into alarms,
// defaults set — as YAML that loads again to the same Monitors; the summary line goes to stderr.
// An endpointFrom variable that is not set is a warning — the variable lives where kmswatch runs,
// not where the file is reviewed — unless --strict makes it an error, as it is at run time.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "monitor.yaml to validate, or s3://BUCKET/KEY")
	region := fs.String("region", "", "AWS region of an S3 spec (default: the AWS configuration's)")
	endpoint := fs.String("endpoint-url", "", "S3 endpoint of an S3 spec (moto, LocalStack); AWS_ENDPOINT_URL works too")
	expand := fs.Bool("expand", false, "print the Monitors as they will be applied (presets expanded, defaults set) as YAML")
	strict := fs.Bool("strict", false, "fail, as kmswatch run does, when an endpointFrom variable is unset or empty")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: kmswatch validate -f FILE|s3://BUCKET/KEY [--region R] [--endpoint-url URL] [--expand] [--strict]")
		return exitInvalid
	}
	opts := spec.LoadOptions{AllowUnsetEnv: !*strict}
	var f *spec.File
	var code int
	if strings.HasPrefix(*file, "s3://") {
		f, code = loadS3Spec(ctx, *file, *region, *endpoint, opts, stderr)
	} else {
		f, code = loadSpec(*file, opts, stderr)
	}
	if f == nil {
		return code
	}
	alarms := 0
	for _, m := range f.Monitors {
		alarms += len(m.Spec.Alarms)
	}
	summary := stdout
	if *expand {
		if err := writeExpanded(stdout, *file, f.Monitors); err != nil {
			fmt.Fprintf(stderr, "kmswatch: %v\n", err)
			return exitFailed
		}
		summary = stderr
	}
	fmt.Fprintf(summary, "%s: valid: %d monitor(s), %d alarm(s), %d warning(s)\n", *file, len(f.Monitors), alarms, len(f.Warnings))
	return exitOK
}

// loadSpec loads a spec for an offline command, printing warnings, or the problems and the exit
// code when it is invalid or unreadable. spec reports endpoints by their display forms already;
// every line also passes through redact.Text, so that a URL that reaches a message some other
// way (the path of the file itself, an I/O error) cannot carry a credential out.
func loadSpec(path string, opts spec.LoadOptions, stderr io.Writer) (*spec.File, int) {
	f, err := opts.Load(path)
	return reportSpec(path, f, err, stderr)
}

// loadS3Spec reads a spec from S3 and loads it as loadSpec does. A missing object is exit 3,
// like a missing file; S3 that cannot be read is exit 1.
func loadS3Spec(ctx context.Context, url, region, endpoint string, opts spec.LoadOptions, stderr io.Writer) (*spec.File, int) {
	loc, err := s3object.ParseURL(url)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: -f: %v\n", err)
		return nil, exitInvalid
	}
	cfg, err := awsConfig(ctx, region, endpoint)
	if err == nil && cfg.Region == "" {
		err = errors.New("no AWS region: give --region or AWS_REGION")
	}
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: %v\n", err)
		return nil, exitFailed
	}
	snap, err := specsource.NewS3(awsclient.NewS3(cfg, awsclient.Options{}), loc).Fetch(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "kmswatch: %v\n", err)
		if errors.Is(err, specsource.ErrNotFound) {
			return nil, exitInvalid
		}
		return nil, exitFailed
	}
	f, err := opts.LoadBytes(snap.Data, url)
	return reportSpec(url, f, err, stderr)
}

// reportSpec prints a loaded spec's warnings, or its problems, and returns the exit code.
func reportSpec(name string, f *spec.File, err error, stderr io.Writer) (*spec.File, int) {
	var list spec.ErrorList
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			fmt.Fprintln(stderr, redact.Text(e.Error()))
		}
		fmt.Fprintf(stderr, "%s: invalid: %d problem(s)\n", redact.Text(name), len(list))
		return nil, exitInvalid
	case err != nil:
		fmt.Fprintf(stderr, "kmswatch: %v\n", redact.Error(err))
		return nil, exitInvalid
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", redact.Text(w.Error()))
	}
	return f, exitOK
}

// endpointRedactor knows the endpoints of the loaded monitors, so that a message quoting one
// of them in any form (escaped, as SNS lists it) shows its display form instead.
func endpointRedactor(f *spec.File) *redact.Redactor {
	return redact.New(spec.Endpoints(f.Monitors)...)
}
