package reconcile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kmswatch/kmswatch/reconcile/selectors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/kmswatch/kmswatch/reconcile/pipeline"
)

// fact is what a pass learned of a taggable resource's ownership: the tags it carries, or that it
// is gone. Observe and apply report facts; the controller alone records them in its ownership cache.
type fact struct {
	ref  Ref
	tags map[string]string
	gone bool
}

// observer is one region's reads in one pass: the Monitors' desired States and the Actuals being
// filled (same index), what is shared between them (the region's trails, event selectors and
// metric filters, each read once), and the ownership facts learned on the way. Kinds observe
// through it; it only reads AWS.
type observer struct {
	r      *region
	owners *ownerCache // read only: the controller updates it from facts
	wants  []State
	gots   []Actual
	errs   []error // per Monitor: a Monitor whose state could not be read is not written to

	// trails are the region's own trails (no shadow copies of other regions' multi-region
	// trails), from one DescribeTrails call.
	trails     []ctypes.Trail
	selectorOf map[string]selectors.Set
	statusOf   map[string]pipeline.TrailStatus // GetTrailStatus, by trail name
	keyOf      map[string]pipeline.KeyInfo     // kms:DescribeKey, by key id
	filtersOf  map[string][]MetricFilter
	// facts are what the pass learned of ownership, in order; learned indexes the tags read.
	facts   []fact
	learned map[Ref]map[string]string
	// knownEndpoints are the region's endpoint digests by subscription ARN (read only here);
	// endpoints are those this pass read, for the controller to keep.
	knownEndpoints map[string]knownEndpoint
	endpoints      map[string]knownEndpoint
}

func newObserver(r *region, owners *ownerCache, wants []State, trails []ctypes.Trail) *observer {
	return &observer{
		r: r, owners: owners, wants: wants, trails: trails,
		gots:       make([]Actual, len(wants)),
		errs:       make([]error, len(wants)),
		selectorOf: map[string]selectors.Set{},
		statusOf:   map[string]pipeline.TrailStatus{},
		keyOf:      map[string]pipeline.KeyInfo{},
		filtersOf:  map[string][]MetricFilter{},
		learned:    map[Ref]map[string]string{},
		endpoints:  map[string]knownEndpoint{},
	}
}

// fail records an error reading the i-th Monitor's state.
func (o *observer) fail(i int, err error) {
	o.errs[i] = errors.Join(o.errs[i], err)
}

// names lists what the i-th Monitor's observe reads of a kind: the desired names and those the
// Monitor owns.
func (o *observer) names(i int, kind Kind, desired ...string) map[string]bool {
	out := map[string]bool{}
	for name := range o.owners.owned(o.wants[i].Monitor, kind) {
		out[name] = true
	}
	for _, n := range desired {
		if n != "" {
			out[n] = true
		}
	}
	return out
}

// allNames is names over every Monitor of the pass, sorted: what one batched read asks for.
func (o *observer) allNames(each []map[string]bool) []string {
	all := map[string]bool{}
	for _, names := range each {
		maps.Copy(all, names)
	}
	return slices.Sorted(maps.Keys(all))
}

// tags answers the ownership tags of an existing resource: what is known of it, or else one direct
// read (the Resource Groups Tagging API is eventually consistent, so a resource missing from its
// bulk answer may still be ours), which becomes a fact.
func (o *observer) tags(ctx context.Context, ref Ref, read func(ctx context.Context) (map[string]string, error)) (map[string]string, error) {
	if t, ok := o.owners.get(ref); ok {
		return t, nil
	}
	if t, ok := o.learned[ref]; ok {
		return t, nil
	}
	t, err := read(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", ref, err)
	}
	if t == nil {
		t = map[string]string{}
	}
	o.learned[ref] = t
	o.facts = append(o.facts, fact{ref: ref, tags: t})
	return t, nil
}

// gone records that a resource the pass looked for does not exist.
func (o *observer) gone(ref Ref) { o.facts = append(o.facts, fact{ref: ref, gone: true}) }

// describeTrails reads the region's trails in one call. Trails are addressed by name, never by
// ARN, everywhere: moto (up to 5.2.2 at least) answers 500 to StartLogging given an ARN.
func (r *region) describeTrails(ctx context.Context) ([]ctypes.Trail, error) {
	out, err := r.clients.CloudTrail.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil {
		return nil, fmt.Errorf("describe trails: %w", err)
	}
	var trails []ctypes.Trail
	for _, t := range out.TrailList {
		// moto ignores IncludeShadowTrails=false for some regions; a shadow has another home region.
		if hr := aws.ToString(t.HomeRegion); hr != "" && hr != r.env.Region {
			continue
		}
		trails = append(trails, t)
	}
	return trails, nil
}

// trail is the region's trail of that name, from the pass's DescribeTrails; nil if none.
func (o *observer) trail(name string) *ctypes.Trail {
	for i := range o.trails {
		if aws.ToString(o.trails[i].Name) == name {
			return &o.trails[i]
		}
	}
	return nil
}

// selectors reads a trail's event selectors, once per pass.
func (o *observer) selectors(ctx context.Context, name string) (selectors.Set, error) {
	if s, ok := o.selectorOf[name]; ok {
		return s, nil
	}
	out, err := o.r.clients.CloudTrail.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(name)})
	if err != nil {
		return selectors.Set{}, fmt.Errorf("get event selectors of trail %s: %w", name, err)
	}
	s := selectors.Set{Basic: out.EventSelectors, Advanced: out.AdvancedEventSelectors}
	o.selectorOf[name] = s
	return s, nil
}
