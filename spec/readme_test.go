package spec

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestReadmeReferenceMatchesSchema keeps README.md's monitor.yaml reference table in step with
// the JSON Schema (itself kept equal to the Go types by schema_test.go): every property path of
// the schema has a row, and every row names a property that exists.
func TestReadmeReferenceMatchesSchema(t *testing.T) {
	raw, err := os.ReadFile("monitor.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	defs, _ := schema["$defs"].(map[string]any)
	want := map[string]bool{}
	var walk func(node map[string]any, path string, depth int)
	walk = func(node map[string]any, path string, depth int) {
		if depth > 20 {
			t.Fatalf("schema nests deeper than 20 at %s", path)
		}
		if ref, ok := node["$ref"].(string); ok {
			node, _ = defs[ref[strings.LastIndex(ref, "/")+1:]].(map[string]any)
		}
		if items, ok := node["items"].(map[string]any); ok {
			walk(items, path+"[]", depth+1)
			return
		}
		if values, ok := node["additionalProperties"].(map[string]any); ok {
			// A map keyed by name (spec.presets[].overrides): one row per field of its values.
			walk(values, path+".<alarm>", depth+1)
		}
		props, _ := node["properties"].(map[string]any)
		for name, sub := range props {
			p := name
			if path != "" {
				p = path + "." + name
			}
			want[p] = true
			walk(sub.(map[string]any), p, depth+1)
		}
	}
	walk(schema, "", 0)
	if len(want) < 50 {
		t.Fatalf("walked only %d schema properties; the walk is broken", len(want))
	}

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, ref, ok := strings.Cut(string(readme), "### Reference")
	if !ok {
		t.Fatal(`README.md has no "### Reference" section`)
	}
	ref, _, _ = strings.Cut(ref, "\n## ")
	got := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllStringSubmatch(ref, -1) {
		got[m[1]] = true
	}
	var missing, extra []string
	for p := range want {
		if !got[p] {
			missing = append(missing, p)
		}
	}
	for p := range got {
		if !want[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("README reference lacks rows for: %s", strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		t.Errorf("README reference has rows for fields the schema does not have: %s", strings.Join(extra, ", "))
	}
}
