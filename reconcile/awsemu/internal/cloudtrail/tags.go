package cloudtrail

import (
	"sort"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Trail tags live in w.Tags under the trail's ARN. AddTags upserts; a trail has at most 50.

type ctTag struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

const (
	maxTrailTags     = 50
	maxListTagsTrail = 20
)

// validTrailTags checks a TagsList and returns existing merged with it.
func validTrailTags(list []ctTag, existing map[string]string) (map[string]string, error) {
	merged := map[string]string{}
	for k, v := range existing {
		merged[k] = v
	}
	for _, t := range list {
		if len(t.Key) < 1 || len(t.Key) > 128 {
			return nil, wire.Errorf("InvalidTagParameterException", "Tag key must be 1 to 128 characters long: "+t.Key)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, wire.Errorf("InvalidTagParameterException", "Tag keys beginning with aws: are reserved: "+t.Key)
		}
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		if len(v) > 256 {
			return nil, wire.Errorf("InvalidTagParameterException", "Tag value must be at most 256 characters long, for key "+t.Key)
		}
		merged[t.Key] = v
	}
	if len(merged) > maxTrailTags {
		return nil, wire.Errorf("TagsLimitExceededException", "The number of tags per trail has exceeded the permitted amount. Currently, the limit is 50.")
	}
	return merged, nil
}

// tagTarget resolves AddTags' and RemoveTags' ResourceId: a trail ARN, changed only from its
// home region.
func (s *cloudTrailService) tagTarget(c *core.Call, id string) (*trail, error) {
	if !trailARNRE.MatchString(id) {
		return nil, wire.Errorf("CloudTrailARNInvalidException", "Invalid trail ARN: "+id+". The ARN must be in the format arn:aws:cloudtrail:<region>:<account>:trail/<name>.")
	}
	t := s.trails[id]
	if t == nil {
		return nil, wire.Errorf("ResourceNotFoundException", "Resource "+id+" not found.")
	}
	if t.region != c.Region {
		return nil, wire.Errorf("InvalidHomeRegionException", "Tags of trail "+id+" can be changed only from its home region, "+t.region+".")
	}
	return t, nil
}

func (s *cloudTrailService) addTags(c *core.Call) (any, error) {
	var in struct {
		ResourceID string  `json:"ResourceId"`
		Tags       []ctTag `json:"TagsList"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.tagTarget(c, in.ResourceID)
	if err != nil {
		return nil, err
	}
	merged, err := validTrailTags(in.Tags, s.w.Tags.Get(t.arn))
	if err != nil {
		return nil, err
	}
	s.w.Tags.Set(t.arn, merged)
	return struct{}{}, nil
}

func (s *cloudTrailService) removeTags(c *core.Call) (any, error) {
	var in struct {
		ResourceID string  `json:"ResourceId"`
		Tags       []ctTag `json:"TagsList"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.tagTarget(c, in.ResourceID)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(in.Tags))
	for _, tag := range in.Tags {
		keys = append(keys, tag.Key)
	}
	s.w.Tags.Remove(t.arn, keys)
	return struct{}{}, nil
}

type resourceTagOut struct {
	ResourceID string  `json:"ResourceId"`
	Tags       []ctTag `json:"TagsList"`
}

func (s *cloudTrailService) listTags(c *core.Call) (any, error) {
	var in struct {
		IDs       []string `json:"ResourceIdList"`
		NextToken *string  `json:"NextToken"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.IDs) > maxListTagsTrail {
		return nil, wire.Errorf("InvalidParameterException", "ResourceIdList can name at most 20 trails.")
	}
	// NextToken is "reserved for future use": every answer fits one page, so any token given
	// back is one CloudTrail never issued.
	if in.NextToken != nil {
		return nil, wire.Errorf("InvalidTokenException", "Reserved for future use.")
	}
	var out struct {
		List []resourceTagOut `json:"ResourceTagList"`
	}
	out.List = []resourceTagOut{}
	for _, id := range in.IDs {
		if !trailARNRE.MatchString(id) {
			return nil, wire.Errorf("CloudTrailARNInvalidException", "Invalid trail ARN: "+id+".")
		}
		if s.trails[id] == nil {
			return nil, wire.Errorf("ResourceNotFoundException", "Resource "+id+" not found.")
		}
		tags := s.w.Tags.Get(id)
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		list := make([]ctTag, 0, len(keys))
		for _, k := range keys {
			v := tags[k]
			list = append(list, ctTag{Key: k, Value: &v})
		}
		out.List = append(out.List, resourceTagOut{ResourceID: id, Tags: list})
	}
	return out, nil
}
