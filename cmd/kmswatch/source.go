package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile/daemon"
	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
)

// firstSpec is the spec as loaded at start, before the daemon exists: its Monitors give the
// default region and the sandbox's seeds, and its digest goes into the lease record.
type firstSpec struct {
	daemon.Spec
	version specsource.Version
}

// specError is a spec that could not be had at start: invalid (it does not load, or does not
// exist: exit 3) or unreadable (S3 unreachable, access denied: exit 1).
type specError struct {
	invalid bool
	err     error
}

func (e *specError) Error() string { return e.err.Error() }
func (e *specError) Unwrap() error { return e.err }

// loadFirst reads and loads the spec of src.
func loadFirst(ctx context.Context, src specsource.Source, load daemon.LoadFunc) (firstSpec, error) {
	snap, err := src.Fetch(ctx)
	if err != nil {
		return firstSpec{}, &specError{invalid: errors.Is(err, specsource.ErrNotFound), err: err}
	}
	s, err := load(snap.Data, src.Location())
	if err != nil {
		return firstSpec{}, &specError{invalid: true, err: err}
	}
	return firstSpec{Spec: s, version: snap.Version}, nil
}

// specFailure reports a spec that could not be had at start and returns the exit code.
func specFailure(stderr io.Writer, log logr.Logger, location string, err error) int {
	var se *specError
	if errors.As(err, &se) && !se.invalid {
		log.Error(daemon.Redact(err), "cannot read the spec", "source", location)
		return exitFailed
	}
	fmt.Fprintf(stderr, "kmswatch: invalid %s:\n%s\n", location, indent(specProblems(err)))
	return exitInvalid
}

// awaitSandboxSpec waits for the spec object to be uploaded into the sandbox, which starts
// empty: the person trying it uploads with the AWS CLI, as they would to S3.
func awaitSandboxSpec(ctx context.Context, src specsource.Source, be *backend, poll time.Duration, stderr io.Writer) error {
	_, err := src.Fetch(ctx)
	if !errors.Is(err, specsource.ErrNotFound) {
		return nil // loadFirst reports anything else
	}
	loc, _ := s3object.ParseURL(src.Location())
	fmt.Fprintf(stderr, `
kmswatch sandbox: an emulated AWS is serving on %[1]s, with an empty bucket %[2]s.
Upload the spec to start, as to S3; kmswatch polls it every %[4]s:

  export AWS_ACCESS_KEY_ID=AKIASANDBOXOPERATOR AWS_SECRET_ACCESS_KEY=sandbox AWS_DEFAULT_REGION=%[5]s
  aws --endpoint-url %[1]s s3 cp examples/monitor.yaml %[3]s

`, be.sandboxURL, loc.Bucket, src.Location(), poll, be.cfg.Region)
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if _, err := src.Fetch(ctx); !errors.Is(err, specsource.ErrNotFound) {
			return nil
		}
	}
}
