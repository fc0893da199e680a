package reconcile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/contest"
)

// Contest is a Monitor whose resources another kmswatch instance writes with another spec of it:
// the evidence is that instance's marker (TagAppliedBy), found on resources this instance had
// established, never the mere pattern of values changing. Writes to them back off.
type Contest struct {
	Monitor string `json:"monitor"`
	// Region is set outside the controller's default region.
	Region string `json:"region,omitempty"`
	// Resources are the contested resources' ids, sorted.
	Resources []string `json:"resources"`
	// Mine is this instance and its spec digest of the Monitor; Theirs the other's.
	Mine   Marker `json:"mine"`
	Theirs Marker `json:"theirs"`
	// Cap is the longest a write to a contested resource waits.
	Cap time.Duration `json:"-"`
}

// Warning is the contest as a pipeline warning. Its text stays the same while the contest does,
// so that the daemon logs it once when it appears and once when it clears.
func (c Contest) Warning() Warning {
	return Warning{ID: "Monitor/" + c.Monitor, Region: c.Region, Message: fmt.Sprintf(
		"another kmswatch (instance %s) applies spec %s of monitor %s to %s, while this instance (%s) applies spec %s: "+
			"writes to them back off, doubling up to %s, and neither wins by itself — stop one, give both the same spec, "+
			"or let a lease elect one writer (a marker forged by someone else reads the same)",
		c.Theirs.Instance, c.Theirs.Digest, c.Monitor, strings.Join(c.Resources, ", "), c.Mine.Instance, c.Mine.Digest, c.Cap)}
}

// errOwnerChanged says that a resource's ownership tags, read fresh, no longer name the Monitor:
// the plan was made on stale tags.
var errOwnerChanged = errors.New("its ownership tags changed since they were read")

// group is a head resource and its parts in a plan: what one marker covers.
type group struct {
	ref   Ref   // the head's
	head  int   // the head's step, -1 if it has none that reaches its tags
	steps []int // the head's and its parts', in plan order
}

// groups splits a plan's steps by the head resource that covers them.
func groups(steps []Step) []group {
	index := map[Ref]int{}
	var out []group
	for i, s := range steps {
		ref := s.Ref()
		if s.tags == nil && s.head != (Ref{}) {
			ref = s.head
		}
		g, ok := index[ref]
		if !ok {
			g, index[ref] = len(out), len(out)
			out = append(out, group{ref: ref, head: -1})
		}
		if s.tags != nil {
			out[g].head = i
		}
		out[g].steps = append(out[g].steps, i)
	}
	return out
}

// writes reports whether any of the group's steps writes.
func (g group) writes(steps []Step) bool {
	return slices.ContainsFunc(g.steps, func(i int) bool { return steps[i].apply != nil })
}

// fingerprint is the group's difference from the spec: each writing step's id and action, and
// the values it would replace. One spec of another instance, applied, leaves one fingerprint.
func (g group) fingerprint(steps []Step) string {
	var lines []string
	for _, i := range g.steps {
		s := steps[i]
		if s.apply == nil {
			continue
		}
		line := s.ID + " " + string(s.Action)
		for _, f := range s.Changes {
			if !strings.HasPrefix(f.Field, "tags.") {
				line += "; " + f.String()
			}
		}
		lines = append(lines, line)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// each rewrites the group's writing steps.
func (g group) each(steps []Step, edit func(s *Step)) {
	for _, i := range g.steps {
		if steps[i].apply != nil {
			edit(&steps[i])
		}
	}
}

// guard applies, between Diff and apply, the rule that keeps kmswatch instances with different
// specs of one Monitor from fighting over its resources (package contest says how it judges).
// A head resource, with its parts, that another kmswatch changed last and whose backoff has not
// passed is held: its writing steps become conflicts that name the other instance. Tags are read
// only for a head whose resource changed behind this instance's back, once per change: one
// ListTagsForResource (CloudTrail: ListTags) a drifted resource, none in a quiet pass.
func (c *Controller) guard(ctx context.Context, r *region, plan Plan, now time.Time) Plan {
	mine := Marker{Instance: c.env.Instance, Digest: plan.Digest}
	if mine.Instance == "" || mine.Digest == "" {
		return plan
	}
	steps := slices.Clone(plan.Steps)
	for _, g := range groups(steps) {
		if g.head < 0 || !g.writes(steps) {
			continue
		}
		h := steps[g.head]
		if h.Action == ActionCreate || h.Action == ActionConflict {
			continue // an absent resource carries no marker: its creation is never held
		}
		v, err := r.contests.Judge(g.ref, mine, g.fingerprint(steps), now, func() (string, error) {
			tags, err := h.tags.read(ctx, r)
			if err != nil {
				return "", fmt.Errorf("list tags of %s: %w", g.ref, err)
			}
			r.owners.record(fact{ref: g.ref, tags: tags})
			if owner(tags) != plan.Monitor {
				return "", errOwnerChanged
			}
			return tags[TagAppliedBy], nil
		})
		switch {
		case errors.Is(err, errOwnerChanged):
			g.each(steps, func(s *Step) {
				s.Action, s.Message, s.apply, s.owns = ActionConflict, err.Error()+"; planned again next pass", nil, nil
			})
		case err != nil:
			first := true
			g.each(steps, func(s *Step) {
				failed := err
				if !first {
					failed = consequence(err)
				}
				first, s.owns = false, nil
				s.apply = func(context.Context, *region) error { return failed }
			})
		case v == contest.Hold:
			ct, _ := r.contests.Contest(g.ref)
			msg := fmt.Sprintf("held: another kmswatch (instance %s) applies spec %s of this monitor; next write in %s at the earliest",
				ct.Theirs.Instance, ct.Theirs.Digest, ct.Next.Sub(now).Round(time.Second))
			g.each(steps, func(s *Step) {
				s.Action, s.Message, s.apply, s.owns, s.held = ActionConflict, msg, nil, nil, true
			})
		}
	}
	plan.Steps = steps
	return plan
}

// settle records in the region's contest book how an applied plan left each head resource.
func (c *Controller) settle(r *region, plan Plan, changes []Change, now time.Time) {
	if c.env.Instance == "" || plan.Digest == "" {
		return
	}
	for _, g := range groups(plan.Steps) {
		outcome := contest.Settled
		for _, i := range g.steps {
			s, ch := plan.Steps[i], changes[i]
			switch {
			case s.held, ch.Err != nil, ch.Action.Writes() && !ch.Applied:
				outcome = max(outcome, contest.Unsure)
			case ch.Action == ActionConflict:
				outcome = contest.Foreign
			}
		}
		r.contests.Settle(g.ref, plan.Monitor, plan.Digest, now, outcome)
	}
}

// contests lists the contests of the Monitors of the file in every region, by Monitor, then by
// this instance's and the other's marker.
func (c *Controller) contests(names map[string]bool) []Contest {
	type key struct {
		monitor      string
		mine, theirs Marker
	}
	var out []Contest
	for _, name := range slices.Sorted(maps.Keys(c.regions)) {
		r := c.regions[name]
		found := map[key][]string{}
		for ref, st := range r.contests.Contested() {
			if names[st.Monitor] {
				k := key{st.Monitor, Marker{Instance: c.env.Instance, Digest: st.Digest}, st.Theirs}
				found[k] = append(found[k], ref.String())
			}
		}
		for k, refs := range found {
			ct := Contest{Monitor: k.monitor, Resources: slices.Sorted(slices.Values(refs)), Mine: k.mine, Theirs: k.theirs, Cap: r.contests.Ceiling()}
			if name != c.env.Region {
				ct.Region = name
			}
			out = append(out, ct)
		}
	}
	slices.SortStableFunc(out, func(a, b Contest) int {
		return strings.Compare(a.Region+"|"+a.Monitor+"|"+a.Mine.String()+"|"+a.Theirs.String(),
			b.Region+"|"+b.Monitor+"|"+b.Mine.String()+"|"+b.Theirs.String())
	})
	return out
}
