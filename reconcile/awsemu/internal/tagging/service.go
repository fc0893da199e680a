package tagging

import (
	"encoding/base64"
	"slices"
	"sort"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// taggingDefaultPerPage is GetResources' page size when ResourcesPerPage is unset (AWS does not
// document it; 50 is what the service and moto return).
const taggingDefaultPerPage = 50

// taggingKeysPerPage bounds GetTagKeys and GetTagValues pages.
const taggingKeysPerPage = 500

// Register adds the Resource Groups Tagging API to w: its handlers, which read the shared tag store.
func Register(w *core.World) {
	t := &taggingService{w: w}
	w.Register("tagging", map[string]core.OpFunc{
		"GetResources": t.getResources,
		"GetTagKeys":   t.getTagKeys,
		"GetTagValues": t.getTagValues,
	})
}

type taggingService struct{ w *core.World }

type taggingTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type taggingMapping struct {
	ResourceARN string       `json:"ResourceARN"`
	Tags        []taggingTag `json:"Tags"`
}

func taggingInvalid(msg string) *wire.APIError { return wire.Errorf("InvalidParameterException", msg) }

func taggingBadToken() *wire.APIError {
	return wire.Errorf("PaginationTokenExpiredException", "The pagination token is invalid or has expired.")
}

// ResourceType derives "service:type" from an ARN, as ResourceTypeFilters spell it: the resource
// part's first segment ("alarm", "log-group", "trail", "key"); an SNS topic ARN has no type
// segment and is "sns:topic".
func ResourceType(arn string) (service, typ string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return "", ""
	}
	service, res := parts[2], parts[5]
	if service == "sns" {
		if strings.Contains(res, ":") {
			return service, "subscription"
		}
		return service, "topic"
	}
	if i := strings.IndexAny(res, ":/"); i >= 0 {
		return service, res[:i]
	}
	return service, res
}

// ownRegion tells whether arn is a resource of the emulator's account in region: the tagging API
// answers for the caller's account only, and member accounts' KMS keys share the tag store.
func (t *taggingService) ownRegion(arn, region string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[3] == region && parts[4] == t.w.Account
}

// taggingCursor encodes the last ARN returned; the next page starts after it.
func taggingCursor(kind, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("tag1|" + kind + "|" + last))
}

func taggingAfter(kind, tok string) (string, *wire.APIError) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", taggingBadToken()
	}
	prefix := "tag1|" + kind + "|"
	if !strings.HasPrefix(string(raw), prefix) {
		return "", taggingBadToken()
	}
	return strings.TrimPrefix(string(raw), prefix), nil
}

// getResourcesInput is GetResources' request.
type getResourcesInput struct {
	PaginationToken     string   `json:"PaginationToken"`
	ResourceARNList     []string `json:"ResourceARNList"`
	ResourceTypeFilters []string `json:"ResourceTypeFilters"`
	ResourcesPerPage    *int     `json:"ResourcesPerPage"`
	TagsPerPage         *int     `json:"TagsPerPage"`
	TagFilters          []struct {
		Key    string   `json:"Key"`
		Values []string `json:"Values"`
	} `json:"TagFilters"`
}

func (t *taggingService) getResources(c *core.Call) (any, error) {
	var in getResourcesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	perPage, err := in.validate()
	if err != nil {
		return nil, err
	}
	after, apiErr := taggingAfter("resources", in.PaginationToken)
	if apiErr != nil {
		return nil, apiErr
	}
	wanted := map[string]bool{}
	for _, a := range in.ResourceARNList {
		wanted[a] = true
	}
	var matched []taggingMapping
	for _, arn := range t.w.Tags.ARNs() {
		if !t.ownRegion(arn, c.Region) || (len(wanted) > 0 && !wanted[arn]) || (after != "" && arn <= after) {
			continue
		}
		if !taggingTypeMatches(arn, in.ResourceTypeFilters) {
			continue
		}
		if m, ok := in.match(arn, t.w.Tags.Get(arn)); ok {
			matched = append(matched, m)
		}
	}
	out := struct {
		ResourceTagMappingList []taggingMapping `json:"ResourceTagMappingList"`
		PaginationToken        string           `json:"PaginationToken"`
	}{ResourceTagMappingList: []taggingMapping{}}
	if len(matched) > perPage {
		matched = matched[:perPage]
		out.PaginationToken = taggingCursor("resources", matched[perPage-1].ResourceARN)
	}
	out.ResourceTagMappingList = append(out.ResourceTagMappingList, matched...)
	return out, nil
}

// match returns arn's mapping if it has tags and they pass every tag filter.
func (in *getResourcesInput) match(arn string, tags map[string]string) (taggingMapping, bool) {
	if len(tags) == 0 {
		return taggingMapping{}, false
	}
	for _, f := range in.TagFilters {
		v, has := tags[f.Key]
		if !has || (len(f.Values) > 0 && !slices.Contains(f.Values, v)) {
			return taggingMapping{}, false
		}
	}
	m := taggingMapping{ResourceARN: arn, Tags: []taggingTag{}}
	for k, v := range tags {
		m.Tags = append(m.Tags, taggingTag{k, v})
	}
	sort.Slice(m.Tags, func(i, j int) bool { return m.Tags[i].Key < m.Tags[j].Key })
	return m, true
}

// validate applies GetResources' constraints and returns the page size.
func (in *getResourcesInput) validate() (int, error) {
	perPage := taggingDefaultPerPage
	if in.ResourcesPerPage != nil {
		if *in.ResourcesPerPage < 1 || *in.ResourcesPerPage > 100 {
			return 0, taggingInvalid("ResourcesPerPage must be between 1 and 100.")
		}
		perPage = *in.ResourcesPerPage
	}
	if in.TagsPerPage != nil && (*in.TagsPerPage < 100 || *in.TagsPerPage > 500) {
		return 0, taggingInvalid("TagsPerPage must be between 100 and 500.")
	}
	if len(in.ResourceARNList) > 0 {
		if len(in.TagFilters) > 0 || len(in.ResourceTypeFilters) > 0 || in.ResourcesPerPage != nil || in.TagsPerPage != nil || in.PaginationToken != "" {
			return 0, taggingInvalid("ResourceARNList cannot be combined with TagFilters, ResourceTypeFilters or pagination parameters.")
		}
		if len(in.ResourceARNList) > 100 {
			return 0, taggingInvalid("ResourceARNList can contain at most 100 ARNs.")
		}
	}
	if len(in.TagFilters) > 50 {
		return 0, taggingInvalid("TagFilters can contain at most 50 keys.")
	}
	for _, f := range in.TagFilters {
		if f.Key == "" || len(f.Key) > 128 {
			return 0, taggingInvalid("Each TagFilter must have a Key of 1 to 128 characters.")
		}
		if len(f.Values) > 20 {
			return 0, taggingInvalid("A TagFilter can contain at most 20 values.")
		}
	}
	if len(in.ResourceTypeFilters) > 100 {
		return 0, taggingInvalid("ResourceTypeFilters can contain at most 100 items.")
	}
	for _, rt := range in.ResourceTypeFilters {
		svc, typ, _ := strings.Cut(rt, ":")
		if svc == "" || strings.Contains(typ, ":") || strings.TrimFunc(rt, func(r rune) bool {
			return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == ':' || r == '_' || r >= 'A' && r <= 'Z'
		}) != "" {
			return 0, taggingInvalid("Invalid resource type filter: " + rt)
		}
	}
	return perPage, nil
}

func taggingTypeMatches(arn string, filters []string) bool {
	if len(filters) == 0 {
		return true
	}
	svc, typ := ResourceType(arn)
	for _, f := range filters {
		fs, ft, hasType := strings.Cut(f, ":")
		if fs == svc && (!hasType || ft == typ) {
			return true
		}
	}
	return false
}

// regionTagValues gathers, over the region's resources, the tag keys (key == "") or the values
// of one key, sorted and distinct.
func (t *taggingService) regionTagValues(region, key string) []string {
	seen := map[string]bool{}
	for _, arn := range t.w.Tags.ARNs() {
		if !t.ownRegion(arn, region) {
			continue
		}
		for k, v := range t.w.Tags.Get(arn) {
			switch {
			case key == "":
				seen[k] = true
			case k == key:
				seen[v] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func taggingPageStrings(all []string, kind, tok string) ([]string, string, *wire.APIError) {
	after, apiErr := taggingAfter(kind, tok)
	if apiErr != nil {
		return nil, "", apiErr
	}
	start := sort.SearchStrings(all, after)
	if after != "" && start < len(all) && all[start] == after {
		start++
	}
	all = all[start:]
	if len(all) <= taggingKeysPerPage {
		return all, "", nil
	}
	page := all[:taggingKeysPerPage]
	return page, taggingCursor(kind, page[len(page)-1]), nil
}

func (t *taggingService) getTagKeys(c *core.Call) (any, error) {
	var in struct {
		PaginationToken string `json:"PaginationToken"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	page, next, apiErr := taggingPageStrings(t.regionTagValues(c.Region, ""), "keys", in.PaginationToken)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		TagKeys         []string `json:"TagKeys"`
		PaginationToken string   `json:"PaginationToken"`
	}{append([]string{}, page...), next}, nil
}

func (t *taggingService) getTagValues(c *core.Call) (any, error) {
	var in struct {
		Key             string `json:"Key"`
		PaginationToken string `json:"PaginationToken"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.Key == "" || len(in.Key) > 128 {
		return nil, taggingInvalid("Key must be 1 to 128 characters.")
	}
	page, next, apiErr := taggingPageStrings(t.regionTagValues(c.Region, in.Key), "values:"+in.Key, in.PaginationToken)
	if apiErr != nil {
		return nil, apiErr
	}
	return struct {
		TagValues       []string `json:"TagValues"`
		PaginationToken string   `json:"PaginationToken"`
	}{append([]string{}, page...), next}, nil
}

// Endpoint is how the Resource Groups Tagging API is addressed on the wire.
var Endpoint = wire.Endpoint{Service: "tagging", JSONTarget: "ResourceGroupsTaggingAPI_20170126"}
