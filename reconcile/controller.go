package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/contest"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
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
	// Instance names this controller in the marker (TagAppliedBy) its writes carry, by which
	// kmswatch instances with different specs of one Monitor tell that they fight over it;
	// "" means the Env's Instance, or else NewInstanceID().
	Instance string
	// ContestBackoff is the first wait of the writes to a resource another kmswatch writes with
	// another spec (a Contest), doubled at every write up to ContestBackoffCap; 0 means
	// DefaultContestBackoff and DefaultContestBackoffCap.
	ContestBackoff, ContestBackoffCap time.Duration
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
	regions map[string]*region
}

// NewController returns a controller working in env with clients, the default region's; Monitors
// of other regions get clients from clients.ForRegion and an Env of the same account and partition.
func NewController(clients awsclient.Clients, env Env, log logr.Logger, opts Options) *Controller {
	if opts.OwnershipTTL <= 0 {
		opts.OwnershipTTL = 10 * time.Minute
	}
	if opts.ContestBackoff <= 0 {
		opts.ContestBackoff = DefaultContestBackoff
	}
	if opts.ContestBackoffCap <= 0 {
		opts.ContestBackoffCap = DefaultContestBackoffCap
	}
	if opts.Instance == "" {
		opts.Instance = env.Instance
	}
	if opts.Instance == "" {
		opts.Instance = NewInstanceID()
	}
	env.Instance = opts.Instance
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if env.Partition == "" {
		env.Partition = partitionOf(env.Region)
	}
	c := &Controller{env: env, log: log, opts: opts, now: now}
	c.regions = map[string]*region{env.Region: c.newRegion(clients, env)}
	return c
}

// newRegion is the controller's part in a region, with nothing known yet. What this instance
// established there is remembered for twice the ownership TTL after a pass last planned it: a
// resource it deleted is seen again only when the ownership cache reloads.
func (c *Controller) newRegion(clients awsclient.Clients, env Env) *region {
	return &region{clients: clients, env: env,
		contests: contest.NewBook[Ref](c.opts.ContestBackoff, c.opts.ContestBackoffCap, 2*c.opts.OwnershipTTL)}
}

// region returns the controller's part in a region, creating its clients the first time.
func (c *Controller) region(name string) (*region, error) {
	if r, ok := c.regions[name]; ok {
		return r, nil
	}
	forRegion := c.regions[c.env.Region].clients.ForRegion
	if forRegion == nil {
		return nil, &TerminalError{Invalid: true, Err: fmt.Errorf("spec.region %s differs from the controller's region %s, and its clients reach no other region", name, c.env.Region)}
	}
	env := c.env
	env.Region = name
	r := c.newRegion(forRegion(name), env)
	c.regions[name] = r
	return r, nil
}

// Reconcile runs one pass: for each Monitor, Desired, observe, Diff and, unless dryRun, apply,
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
	res := &Result{Started: c.now()}
	defer c.countCalls(res)()
	if len(monitors) == 0 {
		return res, nil
	}
	for _, r := range c.regions {
		r.contests.Expire(res.Started)
	}
	callerErr := c.resolveCaller(ctx, monitors)
	f, errs := c.desire(monitors, callerErr)
	perMonitor := make([][]Change, len(monitors))
	var pruned []Change
	converged := map[string]bool{}
	var moves []movedPlan
	for _, name := range f.regions {
		rp, err := c.planRegion(ctx, c.regions[name], f.wants[name], f.names, f.home)
		errs = append(errs, err...)
		res.Warnings = append(res.Warnings, rp.warnings...)
		for _, p := range rp.pipelines {
			if f.home[p.Monitor] == name {
				res.Pipelines = append(res.Pipelines, p)
			}
		}
		for _, p := range rp.plans {
			i, inFile := f.index[p.Monitor]
			switch {
			case inFile && f.home[p.Monitor] != name:
				moves = append(moves, movedPlan{region: name, plan: p})
			case !inFile:
				pruned = append(pruned, c.run(ctx, name, p, dryRun, &errs)...)
			default:
				n := len(errs)
				perMonitor[i] = c.run(ctx, name, p, dryRun, &errs)
				converged[p.Monitor] = len(errs) == n && !(&Result{Changes: perMonitor[i]}).Failed()
			}
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
	slices.SortStableFunc(res.Pipelines, func(a, b pipeline.Report) int { return f.index[a.Monitor] - f.index[b.Monitor] })
	armedNow(res)
	res.Changes = append(res.Changes, pruned...)
	res.Contests = c.contests(f.names)
	for _, ct := range res.Contests {
		res.Warnings = append(res.Warnings, ct.Warning())
	}
	return res, errors.Join(errs...)
}

// fileState is the file's Monitors as a pass sees them: their desired States by region, where each
// one runs, and which names the file holds.
type fileState struct {
	regions []string           // the regions to read: the Monitors' and the default one
	wants   map[string][]State // by region
	names   map[string]bool    // every Monitor of the file, even one that cannot run
	home    map[string]string  // the region of every Monitor that can run
	index   map[string]int     // a Monitor's place in the file
}

// desire computes every Monitor's desired State in its region. Every Monitor of the file counts
// as present, even one that cannot run: pruning "removed" Monitors must never take a broken one
// for a removed one. A Monitor with a heartbeat cannot run while kmswatch's own principal is
// unknown (callerErr): its switch's filter matches that principal, and leaving the switch out
// would prune it.
func (c *Controller) desire(monitors []spec.Monitor, callerErr error) (fileState, []error) {
	f := fileState{wants: map[string][]State{}, names: map[string]bool{}, home: map[string]string{}, index: map[string]int{}}
	var errs []error
	for i, m := range monitors {
		f.names[m.Metadata.Name] = true
		if m.Spec.Heartbeat != nil && callerErr != nil {
			errs = append(errs, fmt.Errorf("monitor %s: %w", m.Metadata.Name, callerErr))
			continue
		}
		name := m.Spec.Region
		if name == "" {
			name = c.env.Region
		}
		r, err := c.region(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("monitor %s: %w", m.Metadata.Name, err))
			continue
		}
		if _, ok := f.wants[name]; !ok {
			f.regions = append(f.regions, name)
		}
		f.home[m.Metadata.Name], f.index[m.Metadata.Name] = name, i
		f.wants[name] = append(f.wants[name], Desired(m, r.env))
	}
	if _, ok := f.wants[c.env.Region]; !ok {
		f.regions = append(f.regions, c.env.Region)
	}
	return f, errs
}

// movedPlan is the plan that prunes what a moved Monitor left in its old region.
type movedPlan struct {
	region string
	plan   Plan
}

// run applies a plan in a region (or, under dryRun, lists it) — holding back the writes to
// resources another kmswatch writes (guard) — records the ownership the applied steps
// established and how they left each resource, and logs what changed; an error is added to errs.
func (c *Controller) run(ctx context.Context, name string, plan Plan, dryRun bool, errs *[]error) []Change {
	var changes []Change
	if dryRun {
		for _, s := range plan.Steps {
			changes = append(changes, s.Change)
		}
	} else {
		r := c.regions[name]
		var facts []fact
		var err error
		plan = c.guard(ctx, r, plan, c.now())
		changes, facts, err = r.apply(ctx, plan)
		for _, f := range facts {
			r.owners.record(f)
		}
		c.settle(r, plan, changes, c.now())
		if err != nil {
			*errs = append(*errs, fmt.Errorf("apply monitor %s: %w", plan.Monitor, err))
		}
	}
	for i := range changes {
		if name != c.env.Region {
			changes[i].Region = name
		}
		if ch := changes[i]; ch.Applied && ch.Action != ActionNoop {
			c.log.Info("changed", "id", ch.ID, "action", string(ch.Action), "monitor", ch.Monitor, "region", name)
		}
	}
	return changes
}

// countCalls snapshots every region's call counts and returns the function that, when the pass
// ends, records in res the calls it made and how long it took.
func (c *Controller) countCalls(res *Result) func() {
	before := map[string]map[string]int{}
	for name, r := range c.regions {
		before[name] = r.clients.Calls()
	}
	return func() {
		res.Calls, res.CallsByRegion = map[string]int{}, map[string]map[string]int{}
		for name, r := range c.regions {
			calls := awsclient.CallsSince(before[name], r.clients.Calls())
			if len(calls) == 0 {
				continue
			}
			res.CallsByRegion[name] = calls
			for k, v := range calls {
				res.Calls[k] += v
			}
		}
		res.Duration = c.now().Sub(res.Started)
	}
}
