package awsemu

import "sort"

// tagStore holds every taggable resource's tags by ARN, for all services, so that the Resource
// Groups Tagging API can answer across them. A service drops a resource's entry when it deletes
// the resource, as AWS does.
type tagStore struct {
	byARN map[string]map[string]string
}

func newTagStore() *tagStore { return &tagStore{byARN: map[string]map[string]string{}} }

// set upserts tags on arn (creating the entry, so an untagged resource can be listed too).
func (t *tagStore) set(arn string, tags map[string]string) {
	m := t.byARN[arn]
	if m == nil {
		m = map[string]string{}
		t.byARN[arn] = m
	}
	for k, v := range tags {
		m[k] = v
	}
}

func (t *tagStore) remove(arn string, keys []string) {
	for _, k := range keys {
		delete(t.byARN[arn], k)
	}
}

// get returns a copy of arn's tags (nil if none).
func (t *tagStore) get(arn string) map[string]string {
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

func (t *tagStore) drop(arn string) { delete(t.byARN, arn) }

// arns lists every ARN with an entry, sorted.
func (t *tagStore) arns() []string {
	out := make([]string, 0, len(t.byARN))
	for a := range t.byARN {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
