package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// ownerCache remembers the ownership tags of every resource kmswatch owns, by ARN, so that a warm
// pass reads no tags at all. It is filled in bulk (the Resource Groups Tagging API, 100 a page, and
// CloudTrail ListTags, 20 trails a call), by what the controller itself creates or adopts, and by a
// direct ListTagsForResource on a resource seen for the first time. An entry is dropped when its
// resource is observed gone; the whole cache is reloaded when older than the TTL, which also
// catches resources tagged or untagged behind kmswatch's back.
type ownerCache struct {
	loaded time.Time
	// tags by resource id, "Kind/name": each region has its own cache, and an id does not depend
	// on how an ARN is spelt (a log group's with or without ":*").
	tags map[string]map[string]string
}

func (c *ownerCache) stale(now time.Time, ttl time.Duration) bool {
	return c.tags == nil || now.Sub(c.loaded) >= ttl
}

func (c *ownerCache) get(kind, name string) (map[string]string, bool) {
	t, ok := c.tags[kind+"/"+name]
	return t, ok
}

func (c *ownerCache) put(kind, name string, tags map[string]string) {
	if c.tags == nil {
		c.tags = map[string]map[string]string{}
	}
	if owner(tags) == "" {
		delete(c.tags, kind+"/"+name)
		return
	}
	c.tags[kind+"/"+name] = tags
}

func (c *ownerCache) drop(kind, name string) { delete(c.tags, kind+"/"+name) }

// owned lists the resources of a kind that a monitor owns, by name.
func (c *ownerCache) owned(monitor, kind string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for id, tags := range c.tags {
		if owner(tags) != monitor {
			continue
		}
		if name, ok := strings.CutPrefix(id, kind+"/"); ok {
			out[name] = tags
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

// refresh reloads the whole cache: the tagging API for alarms, log groups and topics (moto does not
// index trails there), CloudTrail ListTags for the region's trails.
func (c *regionController) refreshOwners(ctx context.Context, trails []ctypes.Trail) error {
	fresh := map[string]map[string]string{}
	in := &resourcegroupstaggingapi.GetResourcesInput{
		TagFilters:       []tagtypes.TagFilter{{Key: aws.String(TagManagedBy), Values: []string{ManagedByValue}}},
		ResourcesPerPage: aws.Int32(100),
	}
	for {
		out, err := c.clients.Tagging.GetResources(ctx, in)
		if err != nil {
			return fmt.Errorf("get resources tagged %s=%s: %w", TagManagedBy, ManagedByValue, err)
		}
		for _, r := range out.ResourceTagMappingList {
			tags := map[string]string{}
			for _, t := range r.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			if ref, ok := parseARN(aws.ToString(r.ResourceARN)); ok && owner(tags) != "" {
				fresh[ref.Kind+"/"+ref.Name] = tags
			}
		}
		next := aws.ToString(out.PaginationToken)
		if next == "" || next == aws.ToString(in.PaginationToken) {
			break
		}
		in.PaginationToken = out.PaginationToken
	}
	var arns []string
	for _, t := range trails {
		arns = append(arns, aws.ToString(t.TrailARN))
	}
	for len(arns) > 0 {
		n := min(len(arns), 20) // ListTags takes at most 20 ARNs
		tagged, err := c.trailTags(ctx, arns[:n])
		if err != nil {
			return err
		}
		for arn, tags := range tagged {
			if ref, ok := parseARN(arn); ok && owner(tags) != "" {
				fresh[ref.Kind+"/"+ref.Name] = tags
			}
		}
		arns = arns[n:]
	}
	c.owners.tags = fresh
	c.owners.loaded = c.now()
	return nil
}

func (c *regionController) trailTags(ctx context.Context, arns []string) (map[string]map[string]string, error) {
	out, err := c.clients.CloudTrail.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: arns})
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

// tagsOf answers the ownership tags of an existing resource: from the cache, or else with one
// direct ListTagsForResource (the tagging API is eventually consistent, so a resource missing from
// it may still be ours). The answer is remembered when the resource turns out to be owned.
func (c *regionController) tagsOf(ctx context.Context, kind, name, arn string) (map[string]string, error) {
	if t, ok := c.owners.get(kind, name); ok {
		return t, nil
	}
	tags := map[string]string{}
	switch kind {
	case KindAlarm:
		out, err := c.clients.CloudWatch.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("list tags of %s: %w", arn, err)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	case KindLogGroup:
		out, err := c.clients.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("list tags of %s: %w", arn, err)
		}
		for k, v := range out.Tags {
			tags[k] = v
		}
	case KindTopic:
		out, err := c.clients.SNS.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("list tags of %s: %w", arn, err)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	case KindTrail:
		res, err := c.trailTags(ctx, []string{arn})
		if err != nil {
			return nil, err
		}
		if t, ok := res[arn]; ok {
			tags = t
		}
	}
	c.owners.put(kind, name, tags)
	return tags, nil
}

func trimStar(arn string) string {
	if len(arn) > 2 && arn[len(arn)-2:] == ":*" {
		return arn[:len(arn)-2]
	}
	return arn
}
