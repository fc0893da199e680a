package reconcile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/contest"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// region is the controller's part in one region: the clients and Env of that region, what it
// knows of ownership there, and what this instance established there and contests.
// Every read and write of a pass goes through one.
type region struct {
	clients  awsclient.Clients
	env      Env
	owners   ownerCache
	contests *contest.Book[Ref]
	// endpoints remembers, by subscription ARN, the digest and display form of the whole
	// endpoint that GetSubscriptionAttributes returned for a subscription SNS lists with its
	// password masked: a subscription's endpoint never changes, so a warm pass reads none again.
	endpoints map[string]knownEndpoint
}

// regionPass is what a region's read-and-diff produced: a Plan per Monitor that could be observed
// (the region's own, then the moved and removed ones to prune), and the pipeline warnings.
type regionPass struct {
	plans     []Plan
	warnings  []Warning
	pipelines []pipeline.Report
}

// planRegion reads a region once for all its Monitors — its trails, the ownership tags when
// stale, then every kind in batches — records what it learned of ownership, and diffs each
// Monitor. Besides wants (the region's own Monitors), it plans the pruning of what other Monitors
// own here: those of the file living in another region (home), and, with
// Options.PruneRemovedMonitors, those missing from the file. A Monitor whose state could not be
// read gets no plan.
func (c *Controller) planRegion(ctx context.Context, r *region, wants []State, names map[string]bool, home map[string]string) (regionPass, []error) {
	var out regionPass
	fail := func(err error) (regionPass, []error) {
		return out, []error{fmt.Errorf("region %s: %w", r.env.Region, err)}
	}
	trails, err := r.describeTrails(ctx)
	if err != nil {
		return fail(err)
	}
	if now := c.now(); r.owners.stale(now, c.opts.OwnershipTTL) {
		fresh, err := r.readOwners(ctx, trails)
		if err != nil {
			return fail(err)
		}
		r.owners = ownerCache{tags: fresh, loaded: now}
	}
	for _, m := range slices.Sorted(maps.Keys(r.owners.monitors())) {
		region, runs := home[m]
		if moved := runs && region != r.env.Region; moved || (!names[m] && c.opts.PruneRemovedMonitors) {
			wants = append(wants, State{Monitor: m})
		}
	}
	o := newObserver(r, &r.owners, wants, trails)
	o.knownEndpoints = r.endpoints
	for _, k := range kinds {
		if err := k.observe(ctx, o); err != nil {
			return fail(err)
		}
	}
	for _, f := range o.facts {
		r.owners.record(f)
	}
	if r.endpoints == nil {
		r.endpoints = map[string]knownEndpoint{}
	}
	maps.Copy(r.endpoints, o.endpoints)
	observePipelines(ctx, o, c.now())
	var errs []error
	for i, want := range wants {
		if o.errs[i] != nil {
			errs = append(errs, fmt.Errorf("observe monitor %s: %w", want.Monitor, o.errs[i]))
			continue
		}
		other := r.env.Region != c.env.Region
		for _, w := range pipelineWarnings(want, o.gots[i]) {
			if other {
				w.Region = r.env.Region
			}
			out.warnings = append(out.warnings, w)
		}
		if want.LogGroup != nil && names[want.Monitor] {
			rep := o.gots[i].Pipeline
			if other {
				rep.Region = r.env.Region
			}
			out.pipelines = append(out.pipelines, rep)
		}
		out.plans = append(out.plans, Diff(want, o.gots[i]))
	}
	return out, errs
}

// apply runs a plan's steps in order (the plan is already in dependency order, deletes last and
// in reverse). A failed step is reported on its Change and joined into the returned error; the
// other steps still run, so that independent resources converge. It returns, with the changes,
// the ownership facts the applied steps established, for the controller to record.
//
// A write to an untaggable part (a metric filter, a subscription) first stamps its head's marker,
// unless the head's own create or update has stamped it in this plan: the marker on the head
// says who wrote the parts too.
func (r *region) apply(ctx context.Context, plan Plan) ([]Change, []fact, error) {
	changes := make([]Change, 0, len(plan.Steps))
	var facts []fact
	var errs []error
	stamped := r.stamper(plan)
	for _, s := range plan.Steps {
		ch := s.Change
		switch {
		case ctx.Err() != nil:
			ch.Err = ctx.Err()
		case s.apply == nil: // noop and keep hold without a write; a conflict is never applied
			ch.Applied = ch.Action != ActionConflict
		default:
			if err := stamped(ctx, s); err != nil {
				ch.Err = err
				errs = append(errs, err)
				break
			}
			if err := s.apply(ctx, r); err != nil {
				ch.Err = err
				if !errors.As(err, new(consequenceError)) {
					errs = append(errs, err)
				}
				break
			}
			ch.Applied = true
			if s.appliedState != "" {
				ch.State = s.appliedState
			}
			if s.owns != nil {
				facts = append(facts, *s.owns)
			}
		}
		changes = append(changes, ch)
	}
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return changes, facts, errors.Join(errs...)
}

// stamper returns the function that, before a step of plan writes, stamps the marker on the head
// of a part, once per head and only where the head's own write does not: a head created or
// updated carries it already; one being deleted, kept or in conflict gets none.
func (r *region) stamper(plan Plan) func(ctx context.Context, s Step) error {
	heads := map[Ref]Step{}
	for _, s := range plan.Steps {
		if s.tags != nil {
			heads[s.Ref()] = s
		}
	}
	done := map[Ref]bool{}
	return func(ctx context.Context, s Step) error {
		if s.tags != nil {
			done[s.Ref()] = true // a head's own write carries its marker
			return nil
		}
		h, ok := heads[s.head]
		if !ok || done[s.head] || h.stamp[TagAppliedBy] == "" || h.Action != ActionNoop {
			return nil
		}
		done[s.head] = true
		return h.tags.write(ctx, r, h.stamp)
	}
}
