package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/redact"
)

// The spec comes from a specsource.Watcher: a file polled every 200ms (resolved path and a
// SHA-256 of its content, so that a plain write, an atomic rename and a ConfigMap-style symlink
// swap are all one mechanism), or an S3 object polled with a conditional GET on its ETag. A
// change that loads triggers a pass; one that does not is rejected (logged, counted, shown in
// /status) and the last good spec stays enforced.

// loadInitial reads and loads the spec at start. A spec that does not load, or that does not
// exist, is an invalid configuration; a source that cannot be read (S3 unreachable, access
// denied) is an error of its own, which is not the configuration's fault.
func (d *Daemon) loadInitial(ctx context.Context) error {
	l, err := d.watcher.Start(ctx)
	switch {
	case err == nil:
		d.setSpec(l)
		return nil
	case errors.Is(err, specsource.ErrNotFound):
		return &reconcile.TerminalError{Invalid: true, Err: err}
	case ctx.Err() != nil:
		return err
	}
	var invalid *loadError
	if errors.As(err, &invalid) {
		return &reconcile.TerminalError{Invalid: true, Err: fmt.Errorf("load spec %s: %w", d.opts.Source.Location(), invalid.err)}
	}
	return fmt.Errorf("read spec: %w", err)
}

// loadError marks an error of Options.Load, so that loadInitial tells a spec that does not load
// from a source that cannot be read.
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// markLoad wraps load so that its errors are loadErrors.
func markLoad(load LoadFunc) LoadFunc {
	return func(data []byte, name string) (Spec, error) {
		s, err := load(data, name)
		if err != nil {
			return s, &loadError{err}
		}
		return s, nil
	}
}

// setSpec makes l the spec in force.
func (d *Daemon) setSpec(l *specsource.Loaded[Spec]) {
	first := d.cur == nil
	d.cur = l
	d.redactor = redact.New(spec.Endpoints(l.Spec.Monitors)...)
	if !first {
		d.metrics.observeReload(true)
	}
	names := monitorNames(l.Spec.Monitors)
	for _, w := range l.Spec.Warnings {
		d.log.Info("spec warning", "id", w.ID, "field", w.Field, "warning", w.Message)
	}
	if d.lease != nil {
		d.lease.SetSpecDigest(l.Version.SHA256)
	}
	st := &SpecStatus{Source: d.opts.Source.Location(), Version: l.Version, SHA256: l.Version.SHA256, LoadedAt: l.LoadedAt, Monitors: names}
	if l.Version.Path != "" {
		st.Path = d.opts.Source.Location()
	}
	d.status.specLoaded(st, slices.Clone(l.Spec.Warnings))
}

// monitorNames are the Monitors' names, in file order.
func monitorNames(ms []spec.Monitor) []string {
	names := make([]string, 0, len(ms))
	for _, m := range ms {
		names = append(names, m.Metadata.Name)
	}
	return names
}

// rejected counts an edit that did not load (or a source that disappeared); the watcher has
// logged it, and /status reads it from the watcher.
func (d *Daemon) rejected(specsource.Rejected) {
	d.metrics.observeReload(false)
}
