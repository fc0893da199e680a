package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// yamlDocsAsJSON reads a YAML file's documents as JSON values, the form an editor's schema
// validator sees. A document YAML itself cannot convert (a duplicate key) becomes nil.
func yamlDocsAsJSON(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, doc := range splitDocuments(data) {
		j, err := sigsyaml.YAMLToJSONStrict(doc)
		if err != nil {
			out = append(out, nil)
			continue
		}
		var v any
		if err := json.Unmarshal(j, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// schemaCheck validates v against s for the keywords monitor.schema.json uses, returning one
// line per violation.
func schemaCheck(root, s *schemaNode, path string, v any) []string {
	s = s.resolve(root)
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if v == nil {
		return []string{path + ": null or not convertible"}
	}
	if types := s.types(); len(types) > 0 && !typeOK(types, v) {
		fail("type %T, want %v", v, types)
		return errs
	}
	if s.Const != nil && s.Const != v {
		fail("want %v", s.Const)
	}
	if len(s.Enum) > 0 {
		found := false
		for _, e := range s.Enum {
			if e == v {
				found = true
			}
		}
		if !found {
			fail("%v not in enum", v)
		}
	}
	if str, ok := v.(string); ok {
		n := len([]rune(str))
		if s.MinLength != nil && n < *s.MinLength || s.MaxLength != nil && n > *s.MaxLength {
			fail("length %d", n)
		}
		if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str) {
			fail("%q does not match %s", str, s.Pattern)
		}
	}
	if f, ok := v.(float64); ok && s.Minimum != nil && f < *s.Minimum {
		fail("%v below minimum", f)
	}
	if list, ok := v.([]any); ok {
		if s.MaxItems != nil && len(list) > *s.MaxItems {
			fail("%d items", len(list))
		}
		for i, e := range list {
			errs = append(errs, schemaCheck(root, s.Items, fmt.Sprintf("%s[%d]", path, i), e)...)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		if s.MinProperties != nil && len(obj) < *s.MinProperties {
			fail("fewer than %d properties", *s.MinProperties)
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				fail("missing %s", r)
			}
		}
		for k, x := range obj {
			ps, ok := s.Properties[k]
			if !ok {
				if vs := s.valueSchema(); vs != nil {
					errs = append(errs, schemaCheck(root, vs, path+"."+k, x)...)
				} else if s.closed() {
					fail("unknown property %s", k)
				}
				continue
			}
			errs = append(errs, schemaCheck(root, ps, path+"."+k, x)...)
		}
		if len(s.OneOf) > 0 {
			n := 0
			for _, alt := range s.OneOf {
				if len(schemaCheck(root, alt, path, v)) == 0 {
					n++
				}
			}
			if n != 1 {
				fail("matches %d of oneOf, want exactly 1", n)
			}
		}
	}
	return errs
}

func typeOK(types []string, v any) bool {
	for _, t := range types {
		switch x := v.(type) {
		case string:
			if t == "string" {
				return true
			}
		case bool:
			if t == "boolean" {
				return true
			}
		case float64:
			if t == "number" || t == "integer" && x == math.Trunc(x) {
				return true
			}
		case []any:
			if t == "array" {
				return true
			}
		case map[string]any:
			if t == "object" {
				return true
			}
		}
	}
	return false
}
