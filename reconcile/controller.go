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

// Controller reconciles Monitors against one AWS account, each Monitor in its spec.region (or the
// default region, the one its clients and Env were made for). It keeps, per region, the clients,
// the ownership tags of what it owns — so that a pass in which nothing changed reads no tags — and
// reads in batches per region. Reconcile calls are serialised.
type Controller struct {
	env  Env // the default region's
	log  logr.Logger
	opts Options
	now  func() time.Time

	mu      sync.Mutex
	regions map[string]*regionController
}

// regionController is the controller's part in one region: the clients and Env of that region,
// and what it knows of ownership there. Every read and write of a pass goes through one.
type regionController struct {
	clients Clients
	env     Env
	now     func() time.Time
	owners  ownerCache
}

// NewController returns a controller working in env with clients, the default region's; Monitors
// of other regions get clients from clients.ForRegion and an Env of the same account and partition.
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
	c := &Controller{env: env, log: log, opts: opts, now: now}
	c.regions = map[string]*regionController{env.Region: {clients: clients, env: env, now: now}}
	return c
}

// region returns the controller of a region, creating its clients the first time.
func (c *Controller) region(name string) (*regionController, error) {
	if rc, ok := c.regions[name]; ok {
		return rc, nil
	}
	forRegion := c.regions[c.env.Region].clients.ForRegion
	if forRegion == nil {
		return nil, &TerminalError{Invalid: true, Err: fmt.Errorf("spec.region %s differs from the controller's region %s, and its clients reach no other region", name, c.env.Region)}
	}
	env := c.env
	env.Region = name
	rc := &regionController{clients: forRegion(name), env: env, now: c.now}
	c.regions[name] = rc
	return rc, nil
}

// Reconcile runs one pass: for each Monitor, Desired, Observe, Diff and, unless dryRun, Apply,
// in the Monitor's region; each region's reads are batched across its Monitors. It returns every
// resource's Change — the Monitors' in file order, then what was pruned — and the pipeline
// Warnings, with the errors of all Monitors joined; a Monitor whose state could not be read is not
// written to at all. Zero monitors is a no-op: nothing is ever deleted because a file came back
// empty.
//
// Pruning looks in every region the pass reads — the regions of the file's Monitors and the
// default one — and never elsewhere. In each, what a Monitor of the file owns while living in
// another region (it was moved) is pruned like an item removed from it, but only once the Monitor
// converged in its own region (no error, no conflict), so that a move never leaves a gap in
// alerting; what a Monitor missing from the file owns is pruned only with
// Options.PruneRemovedMonitors.
func (c *Controller) Reconcile(ctx context.Context, monitors []spec.Monitor, dryRun bool) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := c.now()
	before := map[string]map[string]int{}
	for name, rc := range c.regions {
		before[name] = rc.clients.calls.snapshot()
	}
	res := &Result{Started: start}
	defer func() {
		res.Calls, res.CallsByRegion = map[string]int{}, map[string]map[string]int{}
		for name, rc := range c.regions {
			calls := callsSince(before[name], rc.clients.calls.snapshot())
			if len(calls) == 0 {
				continue
			}
			res.CallsByRegion[name] = calls
			for k, v := range calls {
				res.Calls[k] += v
			}
		}
		res.Duration = c.now().Sub(start)
	}()
	if len(monitors) == 0 {
		return res, nil
	}

	var errs []error
	names := map[string]bool{}  // every Monitor of the file
	home := map[string]string{} // the region of every Monitor that can run
	wantsOf := map[string][]State{}
	index := map[string]int{} // a Monitor's place in the file
	regions := []string{}
	for i, m := range monitors {
		// Every Monitor of the file counts as present, even one that cannot run: pruning
		// "removed" monitors must never take a broken one for a removed one.
		names[m.Metadata.Name] = true
		region := m.Spec.Region
		if region == "" {
			region = c.env.Region
		}
		rc, err := c.region(region)
		if err != nil {
			errs = append(errs, fmt.Errorf("monitor %s: %w", m.Metadata.Name, err))
			continue
		}
		if _, ok := wantsOf[region]; !ok {
			regions = append(regions, region)
		}
		home[m.Metadata.Name] = region
		index[m.Metadata.Name] = i
		wantsOf[region] = append(wantsOf[region], Desired(m, rc.env))
	}
	if _, ok := wantsOf[c.env.Region]; !ok {
		regions = append(regions, c.env.Region)
	}

	perMonitor := make([][]Change, len(monitors))
	var pruned []Change
	converged := map[string]bool{}
	var moves []regionPlan
	for _, region := range regions {
		rp, err := c.regions[region].plan(ctx, wantsOf[region], names, home, c.opts)
		errs = append(errs, err...)
		res.Warnings = append(res.Warnings, rp.warnings...)
		for _, p := range rp.plans {
			i, inFile := index[p.Monitor]
			switch {
			case inFile && home[p.Monitor] != region:
				moves = append(moves, regionPlan{region: region, plan: p})
				continue
			case !inFile:
				pruned = append(pruned, c.run(ctx, region, p, dryRun, &errs)...)
				continue
			}
			n := len(errs)
			perMonitor[i] = c.run(ctx, region, p, dryRun, &errs)
			converged[p.Monitor] = len(errs) == n && !hasConflict(perMonitor[i])
		}
	}
	// What a moved Monitor left behind goes once the Monitor stands in its new region.
	for _, mv := range moves {
		if converged[mv.plan.Monitor] {
			pruned = append(pruned, c.run(ctx, mv.region, mv.plan, dryRun, &errs)...)
		}
	}
	for _, chs := range perMonitor {
		res.Changes = append(res.Changes, chs...)
	}
	res.Changes = append(res.Changes, pruned...)
	return res, errors.Join(errs...)
}

func hasConflict(changes []Change) bool {
	for _, ch := range changes {
		if ch.Action == ActionConflict {
			return true
		}
	}
	return false
}

// regionPlan is a Plan and the region it is for.
type regionPlan struct {
	region string
	plan   Plan
}

// run applies a plan in a region (or, under dryRun, lists it) and logs what changed; an error is
// added to errs.
func (c *Controller) run(ctx context.Context, region string, plan Plan, dryRun bool, errs *[]error) []Change {
	var changes []Change
	if dryRun {
		for _, s := range plan.Steps {
			changes = append(changes, s.Change)
		}
	} else {
		var err error
		changes, err = c.regions[region].apply(ctx, plan)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("apply monitor %s: %w", plan.Monitor, err))
		}
	}
	for i := range changes {
		if region != c.env.Region {
			changes[i].Region = region
		}
		if ch := changes[i]; ch.Applied && ch.Action != ActionNoop {
			c.log.Info("changed", "id", ch.ID, "action", string(ch.Action), "monitor", ch.Monitor, "region", region)
		}
	}
	return changes
}

// regionPass is what a region's read-and-diff produced: a Plan per Monitor that could be observed
// (the region's own, then the moved and removed ones to prune), and the pipeline warnings.
type regionPass struct {
	plans    []Plan
	warnings []Warning
}

// plan reads the region once for all its Monitors — its trails, the ownership tags when stale,
// then alarms and log groups in batches — and diffs each Monitor. Besides wants (the region's own
// Monitors), it plans the pruning of what other Monitors own here: those of the file living in
// another region (home), and, with opts.PruneRemovedMonitors, those missing from the file.
// A Monitor whose state could not be read gets no plan.
func (c *regionController) plan(ctx context.Context, wants []State, names map[string]bool, home map[string]string, opts Options) (regionPass, []error) {
	var out regionPass
	var errs []error
	p := &pass{}
	trails, err := c.describeTrails(ctx)
	if err != nil {
		return out, []error{fmt.Errorf("region %s: %w", c.env.Region, err)}
	}
	p.trails = trails
	if c.owners.stale(c.now(), opts.OwnershipTTL) {
		if err := c.refreshOwners(ctx, trails); err != nil {
			return out, []error{fmt.Errorf("region %s: %w", c.env.Region, err)}
		}
	}
	for _, m := range sortedKeys(c.owners.monitors()) {
		region, runs := home[m]
		moved := runs && region != c.env.Region
		if moved || (!names[m] && opts.PruneRemovedMonitors) {
			wants = append(wants, State{Monitor: m})
		}
	}
	if err := c.prefetch(ctx, wants, p); err != nil {
		return out, []error{fmt.Errorf("region %s: %w", c.env.Region, err)}
	}
	for _, want := range wants {
		got, err := c.observe(ctx, want, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("observe monitor %s: %w", want.Monitor, err))
			continue
		}
		ws, err := c.warnings(ctx, want, got, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("check pipeline of monitor %s: %w", want.Monitor, err))
		}
		out.warnings = append(out.warnings, ws...)
		out.plans = append(out.plans, Diff(want, got))
	}
	return out, errs
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
