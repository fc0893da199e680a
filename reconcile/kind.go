package reconcile

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/kmswatch/kmswatch/spec"
)

// kind is the contract every kind of item a Monitor declares fulfils: a log group; a trail with its
// event selectors; a topic with its subscriptions; an alarm with its metric filter. Each kind is one
// file (kind_*.go) that says how its item is desired, observed, compared, created, updated, deleted
// and tagged; kinds, below, registers it. The rules every kind shares — conflict, adoption,
// pruning, deletion policy, the order of steps, who records ownership — are the planner's and the
// controller's, not the kinds'.
type kind interface {
	// desire adds to s what m declares of this kind, in AWS's terms: ARNs resolved from env,
	// ownership tags set. It is pure, and reads m as spec.Load left it: defaulted.
	desire(s *State, m spec.Monitor, env Env)
	// observe reads what exists of the items the pass's Monitors want or own, in batches across
	// all of them, into each Monitor's Actual, and reports what it learned of ownership to o.
	// It only reads.
	observe(ctx context.Context, o *observer) error
	// plan decides each of one Monitor's items with the shared rules of p: creates and updates in
	// dependency order, and deletes (in the order they must run, parts before their head). It is pure.
	plan(p *planner, want *State, got *Actual) (upserts, deletes []Step)
}

// kinds is the registry, in dependency order: a pass creates and updates in this order and
// deletes in the reverse. A log group exists before the trail that delivers to it; a topic before
// the alarms that notify it.
var kinds = []kind{logGroupKind{}, trailKind{}, topicKind{}, alarmKind{}}

// Desired computes the chain a Monitor asks for, in AWS's terms. It is pure, and expects m as
// spec.Load returns it: defaulted (spec.SetDefaults) and valid.
//
// When env names an Instance, every head resource's tags carry the marker (TagAppliedBy) of that
// instance and of the Monitor's SpecDigest; Diff never compares it.
func Desired(m spec.Monitor, env Env) State {
	s := State{Monitor: m.Metadata.Name, Digest: SpecDigest(m)}
	if env.Instance != "" {
		s.AppliedBy = Marker{Instance: env.Instance, Digest: s.Digest}.String()
	}
	for _, k := range kinds {
		k.desire(&s, m, env)
	}
	s.Pipeline = PipelineSpec{StaleAfter: m.Spec.LogGroup.StaleAfter.Duration, Heartbeat: heartbeatSpec(m)}
	if m.Spec.Heartbeat != nil && env.Caller != "" {
		s.Pipeline.CountHeartbeat = spec.HeartbeatCounters(&m, env.Caller)
	}
	return s
}

// Plan is the ordered set of steps that brings one Monitor's chain to its desired state: creates
// and updates in dependency order, then deletes in reverse. apply runs the steps in this order.
type Plan struct {
	Monitor string
	// Digest is the Monitor's SpecDigest; "" for a plan that only prunes what a Monitor
	// missing from this region owns.
	Digest string
	Steps  []Step
}

// Step is one resource's line in the plan and the write that carries it out.
type Step struct {
	Change
	// apply makes the change in AWS; nil for a step that writes nothing (noop, keep, conflict).
	apply func(ctx context.Context, r *region) error
	// appliedState is the resource's state once the step is applied ("" keeps Change.State).
	appliedState ResourceState
	// owns is what the step, once applied, makes true of its resource's ownership (nil: nothing
	// that the ownership cache records).
	owns *fact
	// head is, for a part that cannot be tagged (a metric filter, a subscription), the resource
	// whose tags cover it: writing the part stamps the head's marker. Zero for a head itself.
	head Ref
	// tags reach a head resource's tags (nil for a part): the fresh read that tells who changed
	// it last, and the stamp written with a change to one of its parts.
	tags *tagIO
	// stamp is the tags a write to a head, or to one of its parts, stamps on the head: its
	// desired tags, marker included.
	stamp map[string]string
	// held says the controller held the step's write back: another kmswatch writes the resource.
	held bool
}

// tagIO reads and writes the tags of one head resource, with the kind's own calls.
type tagIO struct {
	read  func(ctx context.Context, r *region) (map[string]string, error)
	write func(ctx context.Context, r *region, tags map[string]string) error
}

// Pending reports whether the plan would change anything: a create, update or delete.
func (p Plan) Pending() bool {
	for _, s := range p.Steps {
		if s.Action.Writes() {
			return true
		}
	}
	return false
}

// Diff compares a Monitor's desired chain with what was observed and says what to do about each
// resource. It is pure. It never plans a write to a resource that the Monitor does not own: such a
// resource is a conflict, unless its item says adopt.
func Diff(want State, got Actual) Plan {
	p := &planner{monitor: want.Monitor}
	plan := Plan{Monitor: want.Monitor, Digest: want.Digest}
	deletes := make([][]Step, len(kinds))
	for i, k := range kinds {
		var upserts []Step
		upserts, deletes[i] = k.plan(p, &want, &got)
		plan.Steps = append(plan.Steps, upserts...)
	}
	for i := len(deletes) - 1; i >= 0; i-- {
		plan.Steps = append(plan.Steps, deletes[i]...)
	}
	return plan
}

// planner holds the rules that every kind's head resource — the one that carries the ownership
// tags — shares.
type planner struct {
	monitor string
}

// decide plans a head resource that the Monitor declares: create when absent; conflict when
// another Monitor owns it, or nobody does and the item does not adopt it; else update with its
// field changes (tag changes adopt it), or noop.
func (p *planner) decide(ref Ref, adopt bool, exists bool, gotTags map[string]string, fields func() []FieldChange) Change {
	c := newChange(ref, p.monitor)
	if !exists {
		c.Action = ActionCreate
		return c
	}
	if reason := p.conflict(gotTags, adopt); reason != "" {
		c.Action, c.Message = ActionConflict, reason
		return c
	}
	c.Action, c.Changes = ActionNoop, fields()
	if len(c.Changes) > 0 {
		c.Action = ActionUpdate
	}
	if owner(gotTags) != p.monitor {
		c.Message = "adopted"
	}
	return c
}

// conflict is "" when the Monitor may write to a resource with these tags: it owns it, or the
// item says adopt and no other Monitor owns it. Otherwise it says why not.
func (p *planner) conflict(tags map[string]string, adopt bool) string {
	switch o := owner(tags); {
	case o == p.monitor:
		return ""
	case o != "":
		return fmt.Sprintf("owned by kmswatch monitor %s", o)
	case adopt:
		return ""
	default:
		return "exists and is not managed by kmswatch; set adopt: true to take it over"
	}
}

// owns reports whether the Monitor owns a resource with these tags.
func (p *planner) owns(tags map[string]string) bool { return owner(tags) == p.monitor }

// prune plans an owned head resource that the Monitor no longer declares: deleted, unless the
// deletion policy recorded on it — or, when none is, the kind's default — says Retain.
func (p *planner) prune(ref Ref, tags map[string]string, def spec.DeletionPolicy, tio tagIO, del func(ctx context.Context, r *region) error) Step {
	c := newChange(ref, p.monitor)
	policy := spec.DeletionPolicy(tags[TagDeletionPolicy])
	if policy == "" {
		policy = def
	}
	if policy == spec.DeletionRetain {
		c.Action, c.Message = ActionKeep, "removed from the monitor; kept by deletion policy Retain"
		return Step{Change: c, tags: &tio}
	}
	c.Action = ActionDelete
	return Step{Change: c, apply: del, owns: &fact{ref: ref, gone: true}, tags: &tio}
}

// step turns a head resource's decided Change into its Step: write, the function that creates or
// updates it, is bound for a create or an update; and the step records the tags the resource
// carries once written (want's, on a create; got's with want's upserted, on an update that tags).
//
// The tags are the planner's to write on an update, before the kind's write (so that whoever
// sees the new values sees the marker that says who wrote them): every update stamps the marker
// when want carries one, and otherwise tags only to adopt. A create takes want's tags, marker
// included, in the kind's create call.
func (p *planner) step(c Change, want, got map[string]string, tio tagIO, write func(ctx context.Context, r *region) error) Step {
	s := Step{Change: c, tags: &tio, stamp: want}
	switch {
	case c.Action == ActionCreate:
		s.apply, s.owns = write, &fact{ref: c.Ref(), tags: want}
	case c.Action == ActionUpdate:
		stamp := want[TagAppliedBy] != "" || hasTags(c.Changes)
		s.apply = func(ctx context.Context, r *region) error {
			if stamp {
				if err := tio.write(ctx, r, want); err != nil {
					return err
				}
			}
			return write(ctx, r)
		}
		if stamp {
			merged := maps.Clone(got)
			if merged == nil {
				merged = map[string]string{}
			}
			maps.Copy(merged, want)
			s.owns = &fact{ref: c.Ref(), tags: merged}
		}
	}
	return s
}

// part marks a step of an untaggable part (a metric filter, a subscription) as covered by head.
func part(s Step, head Ref) Step {
	s.head = head
	return s
}

// hasTags reports whether any change is a tag change.
func hasTags(fc []FieldChange) bool {
	for _, c := range fc {
		if strings.HasPrefix(c.Field, "tags.") {
			return true
		}
	}
	return false
}

// onlyTags reports whether every change is a tag change: the update is then a tagging call alone.
func onlyTags(fc []FieldChange) bool {
	for _, c := range fc {
		if !strings.HasPrefix(c.Field, "tags.") {
			return false
		}
	}
	return true
}

// changed reports whether a field is among the changes.
func changed(fc []FieldChange, field string) bool {
	for _, c := range fc {
		if c.Field == field {
			return true
		}
	}
	return false
}

// ownerTags are the tags kmswatch writes on a resource of s it creates or adopts, with the
// marker of who writes it when s has one.
func ownerTags(s *State, o spec.Ownership) map[string]string {
	tags := map[string]string{
		TagMonitor:        s.Monitor,
		TagManagedBy:      ManagedByValue,
		TagDeletionPolicy: string(o.DeletionPolicy),
	}
	if s.AppliedBy != "" {
		tags[TagAppliedBy] = s.AppliedBy
	}
	return tags
}
