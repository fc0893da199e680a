package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
)

// ownerCache remembers the ownership tags of every resource kmswatch owns in a region, so that a
// warm pass reads no tags at all. The controller alone writes it: in bulk (the Resource Groups
// Tagging API, 100 a page, and CloudTrail ListTags, 20 trails a call) when it is older than the
// TTL — which also catches resources tagged or untagged behind kmswatch's back — and from the facts
// that observe and apply report (a resource read for the first time, created, adopted or gone).
type ownerCache struct {
	loaded time.Time
	tags   map[Ref]map[string]string
}

func (c *ownerCache) stale(now time.Time, ttl time.Duration) bool {
	return c.tags == nil || now.Sub(c.loaded) >= ttl
}

func (c *ownerCache) get(r Ref) (map[string]string, bool) {
	t, ok := c.tags[r]
	return t, ok
}

// record learns a fact: a resource kmswatch owns is remembered with its tags; one that is gone,
// or that turned out not to be kmswatch's, is forgotten.
func (c *ownerCache) record(f fact) {
	if f.gone || owner(f.tags) == "" {
		delete(c.tags, f.ref)
		return
	}
	if c.tags == nil {
		c.tags = map[Ref]map[string]string{}
	}
	c.tags[f.ref] = f.tags
}

// owned lists the resources of a kind that a monitor owns, by name.
func (c *ownerCache) owned(monitor string, kind Kind) map[string]map[string]string {
	out := map[string]map[string]string{}
	for r, tags := range c.tags {
		if r.Kind == kind && owner(tags) == monitor {
			out[r.Name] = tags
		}
	}
	return out
}

// monitors lists every monitor that owns something.
func (c *ownerCache) monitors() map[string]bool {
	out := map[string]bool{}
	for _, tags := range c.tags {
		if m := owner(tags); m != "" {
			out[m] = true
		}
	}
	return out
}

// readOwners reads every owned resource's tags in the region: the tagging API for alarms, log
// groups and topics (moto does not index trails there), CloudTrail ListTags for the region's trails.
func (r *region) readOwners(ctx context.Context, trails []ctypes.Trail) (map[Ref]map[string]string, error) {
	fresh := map[Ref]map[string]string{}
	pages := resourcegroupstaggingapi.NewGetResourcesPaginator(r.clients.Tagging, &resourcegroupstaggingapi.GetResourcesInput{
		TagFilters:       []tagtypes.TagFilter{{Key: aws.String(TagManagedBy), Values: []string{ManagedByValue}}},
		ResourcesPerPage: aws.Int32(100),
	}, func(o *resourcegroupstaggingapi.GetResourcesPaginatorOptions) { o.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get resources tagged %s=%s: %w", TagManagedBy, ManagedByValue, err)
		}
		for _, res := range out.ResourceTagMappingList {
			tags := map[string]string{}
			for _, t := range res.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			if ref, ok := refFromARN(aws.ToString(res.ResourceARN)); ok && owner(tags) != "" {
				fresh[ref] = tags
			}
		}
	}
	var arns []string
	for _, t := range trails {
		arns = append(arns, aws.ToString(t.TrailARN))
	}
	for len(arns) > 0 {
		n := min(len(arns), 20) // ListTags takes at most 20 ARNs
		tagged, err := r.trailTags(ctx, arns[:n])
		if err != nil {
			return nil, err
		}
		for arn, tags := range tagged {
			if ref, ok := refFromARN(arn); ok && owner(tags) != "" {
				fresh[ref] = tags
			}
		}
		arns = arns[n:]
	}
	return fresh, nil
}

// trailTags reads the tags of up to 20 trails, by ARN.
func (r *region) trailTags(ctx context.Context, arns []string) (map[string]map[string]string, error) {
	out, err := r.clients.CloudTrail.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: arns})
	if err != nil {
		return nil, fmt.Errorf("list tags of trails: %w", err)
	}
	res := map[string]map[string]string{}
	for _, rt := range out.ResourceTagList {
		tags := map[string]string{}
		for _, t := range rt.TagsList {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		res[aws.ToString(rt.ResourceId)] = tags
	}
	return res, nil
}
