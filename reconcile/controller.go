package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/spec"
)

// Options tune a Controller.
type Options struct {
	// PruneRemovedMonitors deletes what a Monitor owns once the Monitor is gone from the file
	// (keeping log groups and trails unless their deletion policy says Delete). Off by default: an
	// emptied or broken file must never delete anything.
	PruneRemovedMonitors bool
	// OwnershipTTL is how long the ownership cache is trusted before it is read again in bulk;
	// 0 means 10 minutes.
	OwnershipTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Controller reconciles Monitors against one AWS account and region. It keeps, between passes,
// the ownership tags of what it owns, so that a pass in which nothing changed reads no tags.
// Reconcile calls are serialised.
type Controller struct {
	clients Clients
	env     Env
	log     logr.Logger
	opts    Options
	now     func() time.Time

	mu     sync.Mutex
	owners ownerCache
}

// NewController returns a controller working in env with clients.
func NewController(clients Clients, env Env, log logr.Logger, opts Options) *Controller {
	if opts.OwnershipTTL <= 0 {
		opts.OwnershipTTL = 10 * time.Minute
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if env.Partition == "" {
		env.Partition = partitionOf(env.Region)
	}
	return &Controller{clients: clients, env: env, log: log, opts: opts, now: now}
}

// Reconcile runs one pass: for each Monitor, Desired, Observe, Diff and, unless dryRun, Apply.
// It returns every resource's Change and the pipeline Warnings, with the errors of all Monitors
// joined; a Monitor whose state could not be read is not written to at all. Zero monitors is a
// no-op: nothing is ever deleted because a file came back empty.
func (c *Controller) Reconcile(ctx context.Context, monitors []spec.Monitor, dryRun bool) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := c.now()
	before := c.clients.calls.snapshot()
	res := &Result{Started: start}
	defer func() {
		res.Calls = callsSince(before, c.clients.calls.snapshot())
		res.Duration = c.now().Sub(start)
	}()
	if len(monitors) == 0 {
		return res, nil
	}

	var errs []error
	wants := make([]State, 0, len(monitors))
	names := map[string]bool{}
	for _, m := range monitors {
		// Every Monitor of the file counts as present, even one that cannot run here: pruning
		// "removed" monitors must never take a broken one for a removed one.
		names[m.Metadata.Name] = true
		if m.Spec.Region != "" && m.Spec.Region != c.env.Region {
			errs = append(errs, &TerminalError{Invalid: true, Err: fmt.Errorf("monitor %s: spec.region %s differs from the controller's region %s", m.Metadata.Name, m.Spec.Region, c.env.Region)})
			continue
		}
		wants = append(wants, Desired(m, c.env))
	}

	p := &pass{}
	trails, err := c.describeTrails(ctx)
	if err != nil {
		return res, errors.Join(append(errs, err)...)
	}
	p.trails = trails
	if c.owners.stale(c.now(), c.opts.OwnershipTTL) {
		if err := c.refreshOwners(ctx, trails); err != nil {
			return res, errors.Join(append(errs, err)...)
		}
	}
	if c.opts.PruneRemovedMonitors {
		for _, m := range sortedKeys(c.owners.monitors()) {
			if !names[m] {
				wants = append(wants, State{Monitor: m})
			}
		}
	}

	if err := c.prefetch(ctx, wants, p); err != nil {
		return res, errors.Join(append(errs, err)...)
	}
	for _, want := range wants {
		got, err := c.observe(ctx, want, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("observe monitor %s: %w", want.Monitor, err))
			continue
		}
		plan := Diff(want, got)
		ws, err := c.warnings(ctx, want, got, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("check pipeline of monitor %s: %w", want.Monitor, err))
		}
		res.Warnings = append(res.Warnings, ws...)
		if dryRun {
			for _, s := range plan.Steps {
				res.Changes = append(res.Changes, s.Change)
			}
			continue
		}
		changes, err := c.apply(ctx, plan)
		res.Changes = append(res.Changes, changes...)
		if err != nil {
			errs = append(errs, fmt.Errorf("apply monitor %s: %w", want.Monitor, err))
		}
		for _, ch := range changes {
			if ch.Applied && ch.Action != ActionNoop {
				c.log.Info("changed", "id", ch.ID, "action", string(ch.Action), "monitor", ch.Monitor)
			}
		}
	}
	return res, errors.Join(errs...)
}

// partitionOf is the ARN partition of a region.
func partitionOf(region string) string {
	switch {
	case len(region) >= 3 && region[:3] == "cn-":
		return "aws-cn"
	case len(region) >= 7 && region[:7] == "us-gov-":
		return "aws-us-gov"
	case len(region) >= 7 && region[:7] == "us-iso-":
		return "aws-iso"
	case len(region) >= 8 && region[:8] == "us-isob-":
		return "aws-iso-b"
	}
	return "aws"
}
