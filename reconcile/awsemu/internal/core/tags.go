package core

import "sort"

// TagStore holds every taggable resource's tags by ARN, for all services, so that the Resource
// Groups Tagging API can answer across them. A service drops a resource's entry when it deletes
// the resource, as AWS does.
type TagStore struct {
	byARN map[string]map[string]string
}

// NewTagStore returns an empty store.
func NewTagStore() *TagStore { return &TagStore{byARN: map[string]map[string]string{}} }

// Set upserts tags on arn (creating the entry, so an untagged resource can be listed too).
func (t *TagStore) Set(arn string, tags map[string]string) {
	m := t.byARN[arn]
	if m == nil {
		m = map[string]string{}
		t.byARN[arn] = m
	}
	for k, v := range tags {
		m[k] = v
	}
}

// Remove deletes keys from arn's tags.
func (t *TagStore) Remove(arn string, keys []string) {
	for _, k := range keys {
		delete(t.byARN[arn], k)
	}
}

// Get returns a copy of arn's tags (nil if none).
func (t *TagStore) Get(arn string) map[string]string {
	m := t.byARN[arn]
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Drop forgets arn, as when its resource is deleted.
func (t *TagStore) Drop(arn string) { delete(t.byARN, arn) }

// Has tells whether arn has an entry (tagged or not).
func (t *TagStore) Has(arn string) bool {
	_, ok := t.byARN[arn]
	return ok
}

// ARNs lists every ARN with an entry, sorted.
func (t *TagStore) ARNs() []string {
	out := make([]string, 0, len(t.byARN))
	for a := range t.byARN {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
