package cloudwatch

import (
	"fmt"
	"sort"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// CloudWatch's tagging API takes an alarm ARN; tags live in w.Tags (shared with the Resource
// Groups Tagging API) and go away with the alarm.

type tagResourceInput struct {
	ResourceARN *string
	Tags        []cwTag
	TagKeys     []string
}

// alarmForARN resolves ResourceARN to an alarm of the caller's region, or answers
// ResourceNotFoundException (404) as CloudWatch does for an ARN it does not hold.
func (cw *cwService) alarmForARN(c *core.Call, arn *string) (*cwAlarm, error) {
	if arn == nil {
		return nil, missingParam("ResourceARN")
	}
	if err := checkLen("resourceARN", *arn, 1, 1024); err != nil {
		return nil, err
	}
	region, name, ok := cw.parseAlarmARN(*arn)
	var a *cwAlarm
	if ok && region == c.Region {
		a = cw.region(region).alarms[name]
	}
	if a == nil {
		return nil, &wire.APIError{Type: "ResourceNotFoundException", Status: 404,
			Message: fmt.Sprintf("Resource %s does not exist.", *arn)}
	}
	return a, nil
}

// tagResource upserts tags (at most 50 per alarm after the merge).
func (cw *cwService) tagResource(c *core.Call) (any, error) {
	var in tagResourceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	a, err := cw.alarmForARN(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, missingParam("Tags")
	}
	for _, t := range in.Tags {
		if err := checkTag(t); err != nil {
			return nil, err
		}
	}
	merged := cw.w.Tags.Get(a.ARN)
	if merged == nil {
		merged = map[string]string{}
	}
	for _, t := range in.Tags {
		merged[t.Key] = t.Value
	}
	if len(merged) > 50 {
		return nil, &wire.APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue",
			Message: fmt.Sprintf("The resource %s would have %d tags; at most 50 are allowed.", a.ARN, len(merged))}
	}
	cw.w.Tags.Set(a.ARN, tagMap(in.Tags))
	return struct{}{}, nil
}

// untagResource removes keys; keys the alarm does not have are ignored.
func (cw *cwService) untagResource(c *core.Call) (any, error) {
	var in tagResourceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	a, err := cw.alarmForARN(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, missingParam("TagKeys")
	}
	for _, k := range in.TagKeys {
		if err := checkLen("tagKeys.member", k, 1, 128); err != nil {
			return nil, err
		}
	}
	cw.w.Tags.Remove(a.ARN, in.TagKeys)
	return struct{}{}, nil
}

// listTagsForResource returns the alarm's tags, sorted by key.
func (cw *cwService) listTagsForResource(c *core.Call) (any, error) {
	var in tagResourceInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	a, err := cw.alarmForARN(c, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags := cw.w.Tags.Get(a.ARN)
	out := struct{ Tags []cwTag }{Tags: make([]cwTag, 0, len(tags))}
	for k, v := range tags {
		out.Tags = append(out.Tags, cwTag{Key: k, Value: v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	return out, nil
}
