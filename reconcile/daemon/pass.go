package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
)

// pass runs one reconcile pass over the spec in force, under term (the lease term's context,
// or ctx itself without a lease), then logs, counts and records it. A pass cut short by
// shutdown (ctx) or by the end of the term is neither an error nor worth a metric.
func (d *Daemon) pass(ctx, term context.Context) (*reconcile.Result, error) {
	id := newReconcileID()
	log := d.log.WithValues("reconcileID", id)
	cur := d.cur
	digest := cur.Version.SHA256
	// The account was converged to this very spec before: whatever this pass changes, someone
	// else changed first.
	drift := d.converged != "" && d.converged == digest

	passCtx, cancel := context.WithTimeout(term, d.opts.PassTimeout)
	defer cancel()
	started := d.now()
	log.V(1).Info("pass started", "monitors", len(cur.Spec.Monitors), "dryRun", d.opts.DryRun)
	res, err := d.opts.Reconciler.Reconcile(logr.NewContext(passCtx, log), cur.Spec.Monitors, d.opts.DryRun)
	res, err = d.redact(res, err)
	end := d.now()
	elapsed := end.Sub(started)
	switch {
	case ctx.Err() != nil:
		log.Info("pass interrupted by shutdown", "after", elapsed.String())
		return res, ctx.Err()
	case term.Err() != nil || d.lostLease(err):
		// Writes already applied stay applied; the next leader's first pass sees them.
		log.Info("pass cut short: this instance no longer holds the lease, and writes nothing more", "after", elapsed.String(),
			"why", leaseLostWhy(term, err))
		if err == nil {
			err = term.Err()
		}
		return res, err
	}
	if res != nil {
		logChanges(log, res, d.opts.DryRun)
		if err == nil || len(res.Changes) > 0 {
			d.warned = logWarnings(log, d.warned, res.Warnings)
			d.logPipelines(log, res, end)
		}
	}

	result := ResultSuccess
	switch {
	case err != nil:
		result = ResultError
	case hasConflict(res):
		result = ResultConflict
	}
	terminal := err != nil && d.opts.Terminal(err)
	if err != nil {
		log.Error(Redact(err), "pass failed", "duration", elapsed.String(), "terminal", terminal)
	} else {
		log.Info("pass done", "duration", elapsed.String(), "result", result, "summary", summary(res, d.opts.DryRun))
	}
	d.metrics.observePass(res, result, elapsed, end, drift, d.opts.DryRun)
	if res != nil && (err == nil || len(res.Changes) > 0) {
		d.metrics.observeContests(monitorNames(cur.Spec.Monitors), res)
	}
	ps := PassStatus{ReconcileID: id, Started: started, Duration: elapsed.String(), Result: result, DryRun: d.opts.DryRun}
	if res != nil {
		ps.Calls = res.Calls
	}
	d.status.passDone(ps, res, err, terminal, drift, end)
	if err == nil && !d.opts.DryRun {
		d.converged = digest
	}
	return res, err
}

// leaseLostWhy says why a term ended mid-pass, for the log line.
func leaseLostWhy(term context.Context, err error) string {
	if cause := context.Cause(term); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause.Error()
	}
	if err != nil {
		return Redact(err).Error()
	}
	return "its term ended"
}

func hasConflict(res *reconcile.Result) bool {
	if res == nil {
		return false
	}
	return slices.ContainsFunc(res.Changes, func(c reconcile.Change) bool { return c.Action == reconcile.ActionConflict })
}

// logChanges writes one line per resource: what happened, its id and the fields that moved.
// Unchanged resources are logged at V(1) only; warnings always.
func logChanges(log logr.Logger, res *reconcile.Result, dryRun bool) {
	for _, c := range res.Changes {
		word := c.Action.Word(dryRun)
		if dryRun {
			word = "plan " + word
		}
		kv := []any{"id", c.ID, "action", string(c.Action), "applied", c.Applied}
		if c.Region != "" {
			kv = append(kv, "region", c.Region)
		}
		if len(c.Changes) > 0 {
			kv = append(kv, "changes", fieldChanges(c.Changes))
		}
		if c.State != "" {
			kv = append(kv, "state", string(c.State))
		}
		if c.Message != "" {
			kv = append(kv, "message", c.Message)
		}
		switch {
		case c.Err != nil:
			if !errors.Is(c.Err, context.Canceled) {
				log.Error(Redact(c.Err), "change failed", kv...)
			}
		case c.Action == reconcile.ActionNoop:
			log.V(1).Info(word, kv...)
		default:
			log.Info(word, kv...)
		}
	}
}

// logWarnings logs the pipeline warnings that are new since the previous pass, and those that
// cleared: a condition that lasts is in /status and need not fill the log every interval.
func logWarnings(log logr.Logger, prev map[reconcile.Warning]bool, now []reconcile.Warning) map[reconcile.Warning]bool {
	next := make(map[reconcile.Warning]bool, len(now))
	for _, w := range now {
		next[w] = true
		if !prev[w] {
			log.Info("warning", "id", w.ID, "warning", w.Message)
		}
	}
	for w := range prev {
		if !next[w] {
			log.Info("warning cleared", "id", w.ID, "warning", w.Message)
		}
	}
	return next
}

// fieldChanges renders moved fields for a log line, each as the output prints it.
func fieldChanges(fs []reconcile.FieldChange) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// summary counts a pass's lines by action: "1 update, 11 unchanged".
func summary(res *reconcile.Result, dryRun bool) string {
	if res == nil {
		return ""
	}
	counts := map[reconcile.Action]int{}
	for _, c := range res.Changes {
		counts[c.Action]++
	}
	var parts []string
	for _, a := range reconcile.Actions {
		if counts[a] == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s", counts[a], a.Word(dryRun)))
	}
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, ", ")
}

// redact wraps every error of a pass so that its message names no endpoint of the spec in force
// (AWS errors can echo an endpoint back) and no credential of any URL, whatever prints it next:
// the logs, /status, --once's output.
func (d *Daemon) redact(res *reconcile.Result, err error) (*reconcile.Result, error) {
	if res != nil {
		for i := range res.Changes {
			if res.Changes[i].Err != nil {
				res.Changes[i].Err = d.redactor.Error(res.Changes[i].Err)
			}
		}
	}
	if err != nil {
		err = d.redactor.Error(err)
	}
	return res, err
}

// logPipelines logs a Monitor's pipeline line when its status changes (its problems are
// warnings, logged as they appear and clear).
func (d *Daemon) logPipelines(log logr.Logger, res *reconcile.Result, now time.Time) {
	for _, p := range res.Pipelines {
		if d.pipelines[p.Monitor] == p.Status {
			continue
		}
		d.pipelines[p.Monitor] = p.Status
		log.Info("pipeline "+string(p.Status), "monitor", p.Monitor, "pipeline", p.Line(now))
	}
}
