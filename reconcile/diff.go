package reconcile

import (
	"fmt"
	"sort"

	"github.com/kmswatch/kmswatch/spec"
)

// Actual is what Observe found for one Monitor: every resource of a desired name that exists, and
// every resource the Monitor owns. Tags hold the ownership tags known for each (nil: none).
type Actual struct {
	Trails        []Trail
	LogGroups     []LogGroup
	Topics        []Topic
	Subscriptions []Subscription
	Filters       []MetricFilter
	Alarms        []Alarm
}

// Plan is the ordered set of steps that brings one Monitor's chain to its desired state: creates
// and updates in dependency order, then deletes in reverse. Apply runs the steps in this order.
type Plan struct {
	Monitor string
	Steps   []Step
}

// Step is one resource's line in the plan: the Change reported, and the desired and observed
// resource it was computed from (a *Trail, *LogGroup, *Topic, *Subscription, *MetricFilter or
// *Alarm; Want nil for a delete or keep, Got nil for a create).
type Step struct {
	Change
	Want, Got any
}

// Pending reports whether the plan would change anything: a create, update or delete.
func (p Plan) Pending() bool {
	for _, s := range p.Steps {
		switch s.Action {
		case ActionCreate, ActionUpdate, ActionDelete:
			return true
		}
	}
	return false
}

// Diff compares a Monitor's desired chain with what Observe found and says what to do about each
// resource. It is pure. It never plans a write to a resource that the Monitor does not own: such a
// resource is a conflict, unless its item says adopt.
func Diff(want State, got Actual) Plan {
	d := differ{monitor: want.Monitor, plan: Plan{Monitor: want.Monitor}}
	m := want.Monitor

	var gotLG *LogGroup
	if want.LogGroup != nil {
		gotLG = findLogGroup(got.LogGroups, want.LogGroup.Name)
		d.resource(KindLogGroup, want.LogGroup.Name, want.LogGroup, gotLG, want.LogGroup.Adopt, gotLG != nil,
			func() (map[string]string, []FieldChange) { return gotLG.Tags, diffLogGroup(want.LogGroup, gotLG) })
	}
	if want.Trail != nil {
		gt := findTrail(got.Trails, want.Trail.Name)
		d.resource(KindTrail, want.Trail.Name, want.Trail, gt, want.Trail.Adopt, gt != nil,
			func() (map[string]string, []FieldChange) { return gt.Tags, diffTrail(want.Trail, gt) })
		if gt != nil {
			d.plan.Steps[len(d.plan.Steps)-1].State = loggingState(gt.Logging)
		}
	}

	// Topics, then their subscriptions; a subscription may be written only on a topic we own.
	topicOK := map[string]bool{}
	for i := range want.Topics {
		wt := &want.Topics[i]
		gt := findTopic(got.Topics, wt.Name)
		act := d.resource(KindTopic, wt.Name, wt, gt, wt.Adopt, gt != nil,
			func() (map[string]string, []FieldChange) { return gt.Tags, diffTopic(wt, gt) })
		topicOK[wt.Name] = act != ActionConflict
	}
	gotSubs := map[string]*Subscription{}
	for i := range got.Subscriptions {
		s := &got.Subscriptions[i]
		if prev, ok := gotSubs[s.key()]; !ok || (prev.Pending && !s.Pending) {
			gotSubs[s.key()] = s
		}
	}
	wantSubs := map[string]bool{}
	for i := range want.Subscriptions {
		ws := &want.Subscriptions[i]
		wantSubs[ws.key()] = true
		gs := gotSubs[ws.key()]
		c := Change{ID: ws.id(), Kind: KindSubscription, Name: ws.key(), Monitor: m}
		switch {
		case !topicOK[ws.Topic]:
			c.Action, c.Message = ActionConflict, fmt.Sprintf("topic %s is not managed by this monitor", ws.Topic)
		case gs == nil:
			c.Action = ActionCreate
		case gs.Pending:
			c.Action, c.State = ActionNoop, "PendingConfirmation"
		default:
			c.Action, c.State = ActionNoop, "Confirmed"
		}
		d.add(c, ws, gs)
	}

	// Alarms and their metric filters: one spec item. A filter is owned through the alarm whose tags
	// record it, or through the log group holding it when the monitor owns that (so a deleted alarm
	// does not turn its filter into a conflict). The alarm is written first so that a filter in a
	// foreign log group is never created before its alarm records it.
	lgOwned := want.LogGroup != nil && (gotLG == nil || conflictReason(m, gotLG.Tags, want.LogGroup.Adopt) == "")
	wantFilters := map[string]bool{}
	for i := range want.Filters {
		wantFilters[filterKey(want.Filters[i].LogGroup, want.Filters[i].Name)] = true
	}
	gotAlarms := make(map[string]*Alarm, len(got.Alarms))
	for i := range got.Alarms {
		gotAlarms[got.Alarms[i].Name] = &got.Alarms[i]
	}
	gotFilters := make(map[string]*MetricFilter, len(got.Filters))
	for i := range got.Filters {
		gotFilters[filterKey(got.Filters[i].LogGroup, got.Filters[i].Name)] = &got.Filters[i]
	}
	wantAlarms := make(map[string]bool, len(want.Alarms))
	var filterSteps []Step
	for i := range want.Alarms {
		wa := &want.Alarms[i]
		if i >= len(want.Filters) {
			break // a State built by hand without filters: nothing to pair
		}
		wf := &want.Filters[i]
		wantAlarms[wa.Name] = true
		ga := gotAlarms[wa.Name]
		gf := gotFilters[filterKey(wf.LogGroup, wf.Name)]
		alarmConflict := ""
		if ga != nil {
			alarmConflict = conflictReason(m, ga.Tags, wa.Adopt)
		}
		filterConflict := ""
		if gf != nil && !wa.Adopt && !(lgOwned && want.LogGroup.Name == wf.LogGroup) {
			lg, n, ok := recordedFilter(nil)
			if ga != nil && owner(ga.Tags) == m {
				lg, n, ok = recordedFilter(ga.Tags)
			}
			if !ok || lg != wf.LogGroup || n != wf.Name {
				filterConflict = "metric filter exists and is not recorded on an alarm of this monitor; set adopt: true to take it over"
			}
		}
		ac := Change{ID: alarmID(wa.Name), Kind: KindAlarm, Name: wa.Name, Monitor: m}
		fc := Change{ID: filterID(wf.LogGroup, wf.Name), Kind: KindMetricFilter, Name: filterKey(wf.LogGroup, wf.Name), Monitor: m}
		if alarmConflict != "" || filterConflict != "" {
			ac.Action, fc.Action = ActionConflict, ActionConflict
			ac.Message, fc.Message = alarmConflict, filterConflict
			if ac.Message == "" {
				ac.Message = "its metric filter " + fc.Name + " is in conflict"
			}
			if fc.Message == "" {
				fc.Message = "its alarm " + wa.Name + " is in conflict"
			}
		} else {
			ac.Action, ac.Changes = updateOrCreate(ga != nil, func() []FieldChange { return diffAlarm(wa, ga) })
			fc.Action, fc.Changes = updateOrCreate(gf != nil, func() []FieldChange { return diffFilter(wf, gf) })
			if ga != nil && owner(ga.Tags) != m {
				ac.Message = "adopted"
			}
		}
		d.add(ac, wa, ga)
		filterSteps = append(filterSteps, Step{Change: fc, Want: wf, Got: gf})
	}
	d.plan.Steps = append(d.plan.Steps, filterSteps...)

	// Pruning, in reverse dependency order: filters, alarms, subscriptions, topics, trail, log group.
	ownedAlarmFilter := map[string]bool{}
	for i := range got.Alarms {
		if owner(got.Alarms[i].Tags) == m {
			if lg, n, ok := recordedFilter(got.Alarms[i].Tags); ok {
				ownedAlarmFilter[filterKey(lg, n)] = true
			}
		}
	}
	for i := range got.Filters {
		gf := &got.Filters[i]
		k := filterKey(gf.LogGroup, gf.Name)
		if !wantFilters[k] && ownedAlarmFilter[k] {
			d.add(Change{ID: filterID(gf.LogGroup, gf.Name), Kind: KindMetricFilter, Name: k, Monitor: m, Action: ActionDelete}, nil, gf)
		}
	}
	for i := range got.Alarms {
		ga := &got.Alarms[i]
		if owner(ga.Tags) == m && !wantAlarms[ga.Name] {
			d.prune(KindAlarm, ga.Name, ga.Tags, ga)
		}
	}
	for _, k := range sortedKeys(gotSubs) {
		gs := gotSubs[k]
		if !wantSubs[k] && topicOK[gs.Topic] && !gs.Pending && gs.ARN != "" {
			d.add(Change{ID: gs.id(), Kind: KindSubscription, Name: k, Monitor: m, Action: ActionDelete}, nil, gs)
		}
	}
	for i := range got.Topics {
		gt := &got.Topics[i]
		if owner(gt.Tags) == m && findTopic(want.Topics, gt.Name) == nil {
			d.prune(KindTopic, gt.Name, gt.Tags, gt)
		}
	}
	for i := range got.Trails {
		gt := &got.Trails[i]
		if owner(gt.Tags) == m && (want.Trail == nil || want.Trail.Name != gt.Name) {
			d.prune(KindTrail, gt.Name, gt.Tags, gt)
		}
	}
	for i := range got.LogGroups {
		gl := &got.LogGroups[i]
		if owner(gl.Tags) == m && (want.LogGroup == nil || want.LogGroup.Name != gl.Name) {
			d.prune(KindLogGroup, gl.Name, gl.Tags, gl)
		}
	}
	return d.plan
}

type differ struct {
	monitor string
	plan    Plan
}

func (d *differ) add(c Change, want, got any) {
	d.plan.Steps = append(d.plan.Steps, Step{Change: c, Want: want, Got: got})
}

// resource plans a taggable resource: create when absent, conflict when not ours and not adopted,
// else update with the field changes (tag changes adopt it), or noop.
func (d *differ) resource(kind, name string, want, got any, adopt, exists bool, diff func() (map[string]string, []FieldChange)) Action {
	c := Change{ID: kind + "/" + name, Kind: kind, Name: name, Monitor: d.monitor}
	if !exists {
		c.Action = ActionCreate
		d.plan.Steps = append(d.plan.Steps, Step{Change: c, Want: want})
		return c.Action
	}
	tags, fc := diff()
	if reason := conflictReason(d.monitor, tags, adopt); reason != "" {
		c.Action, c.Message = ActionConflict, reason
	} else {
		c.Action, c.Changes = ActionNoop, fc
		if len(fc) > 0 {
			c.Action = ActionUpdate
		}
		if owner(tags) != d.monitor {
			c.Message = "adopted"
		}
	}
	d.plan.Steps = append(d.plan.Steps, Step{Change: c, Want: want, Got: got})
	return c.Action
}

// prune plans an owned resource that its Monitor no longer declares: deleted, unless the deletion
// policy recorded on it says Retain (the default for log groups and trails).
func (d *differ) prune(kind, name string, tags map[string]string, got any) {
	c := Change{ID: kind + "/" + name, Kind: kind, Name: name, Monitor: d.monitor, Action: ActionDelete}
	policy := spec.DeletionPolicy(tags[TagDeletionPolicy])
	if policy == "" {
		policy = spec.DeletionDelete
		if kind == KindTrail || kind == KindLogGroup {
			policy = spec.DeletionRetain
		}
	}
	if policy == spec.DeletionRetain {
		c.Action, c.Message = ActionKeep, "removed from the monitor; kept by deletion policy Retain"
	}
	d.plan.Steps = append(d.plan.Steps, Step{Change: c, Got: got})
}

// conflictReason is "" when monitor may write to a resource with these tags: it owns it, or the
// item says adopt and no other monitor owns it.
func conflictReason(monitor string, tags map[string]string, adopt bool) string {
	switch o := owner(tags); {
	case o == monitor:
		return ""
	case o != "":
		return fmt.Sprintf("owned by kmswatch monitor %s", o)
	case adopt:
		return ""
	default:
		return "exists and is not managed by kmswatch; set adopt: true to take it over"
	}
}

// loggingState is a trail's State in its Change.
func loggingState(logging bool) string {
	if logging {
		return "logging"
	}
	return "not logging"
}

func updateOrCreate(exists bool, diff func() []FieldChange) (Action, []FieldChange) {
	if !exists {
		return ActionCreate, nil
	}
	fc := diff()
	if len(fc) == 0 {
		return ActionNoop, nil
	}
	return ActionUpdate, fc
}

func findLogGroup(s []LogGroup, name string) *LogGroup {
	for i := range s {
		if s[i].Name == name {
			return &s[i]
		}
	}
	return nil
}

func findTrail(s []Trail, name string) *Trail {
	for i := range s {
		if s[i].Name == name {
			return &s[i]
		}
	}
	return nil
}

func findTopic(s []Topic, name string) *Topic {
	for i := range s {
		if s[i].Name == name {
			return &s[i]
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
