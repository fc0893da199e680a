package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/spec/presets"
)

// schemaNode is the subset of JSON Schema that monitor.schema.json uses.
type schemaNode struct {
	Ref                  string                 `json:"$ref"`
	Type                 any                    `json:"type"`
	Const                any                    `json:"const"`
	Enum                 []any                  `json:"enum"`
	Properties           map[string]*schemaNode `json:"properties"`
	Required             []string               `json:"required"`
	AdditionalProperties json.RawMessage        `json:"additionalProperties"`
	Items                *schemaNode            `json:"items"`
	Pattern              string                 `json:"pattern"`
	MinLength            *int                   `json:"minLength"`
	MaxLength            *int                   `json:"maxLength"`
	MaxItems             *int                   `json:"maxItems"`
	Minimum              *float64               `json:"minimum"`
	MinProperties        *int                   `json:"minProperties"`
	OneOf                []*schemaNode          `json:"oneOf"`
	Defs                 map[string]*schemaNode `json:"$defs"`
}

func loadSchema(t *testing.T) *schemaNode {
	t.Helper()
	data, err := os.ReadFile("monitor.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s schemaNode
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// closed reports additionalProperties: false.
func (s *schemaNode) closed() bool { return string(s.AdditionalProperties) == "false" }

// valueSchema is additionalProperties when it is a schema (a map's values), else nil.
func (s *schemaNode) valueSchema() *schemaNode {
	if len(s.AdditionalProperties) == 0 || s.AdditionalProperties[0] != '{' {
		return nil
	}
	var v schemaNode
	if err := json.Unmarshal(s.AdditionalProperties, &v); err != nil {
		return nil
	}
	return &v
}

func (s *schemaNode) resolve(root *schemaNode) *schemaNode {
	for s.Ref != "" {
		s = root.Defs[strings.TrimPrefix(s.Ref, "#/$defs/")]
	}
	return s
}

func (s *schemaNode) types() []string {
	switch v := s.Type.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

// TestSchemaMatchesTypes walks the Go types from Monitor and the schema from its root together:
// every JSON field is a schema property of a compatible type, no property is extra, every
// object is closed (additionalProperties false), and the enums are validation's.
func TestSchemaMatchesTypes(t *testing.T) {
	root := loadSchema(t)
	enums := map[string][]any{
		"Alarm.statistic":        strs(statistics),
		"Alarm.comparison":       strs(comparisons),
		"Alarm.treatMissingData": strs(treatMissingDataValues),
		"Subscription.protocol":  strs(protocols),
		"LogGroup.retentionInDays": func() []any {
			var out []any
			for _, d := range retentionDays {
				out = append(out, float64(d))
			}
			return out
		}(),
		"Metric.unit":                     strs(units),
		"PresetOverride.treatMissingData": strs(treatMissingDataValues),
		"PresetRef.name":                  strs(presets.Names()),
		"PresetRef.version":               strs(presets.AllVersions()),
	}
	seenEnums := map[string]bool{}
	var walk func(path string, t reflect.Type, s *schemaNode)
	walk = func(path string, typ reflect.Type, s *schemaNode) {
		s = s.resolve(root)
		if typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		types := s.types()
		has := func(want ...string) bool {
			for _, w := range want {
				for _, t := range types {
					if t == w {
						return true
					}
				}
			}
			return false
		}
		switch {
		case typ == durationType:
			if !has("string") || s.Pattern == "" {
				t.Errorf("%s: a Duration must be a string with a pattern in the schema", path)
			}
		case typ.Kind() == reflect.Struct:
			if !has("object") {
				t.Errorf("%s: schema type %v, want object", path, types)
			}
			if !s.closed() {
				t.Errorf("%s: additionalProperties must be false", path)
			}
			fields := jsonFields(typ)
			var goNames, schemaNames []string
			for k := range fields {
				goNames = append(goNames, k)
			}
			for k := range s.Properties {
				schemaNames = append(schemaNames, k)
			}
			sort.Strings(goNames)
			sort.Strings(schemaNames)
			if d := cmp.Diff(goNames, schemaNames); d != "" {
				t.Errorf("%s (%s): properties differ (-go +schema):\n%s", path, typ.Name(), d)
			}
			for _, r := range s.Required {
				if _, ok := fields[r]; !ok {
					t.Errorf("%s: required %q is no field", path, r)
				}
			}
			for k, ft := range fields {
				if ps, ok := s.Properties[k]; ok {
					walk(typ.Name()+"."+k, ft, ps)
				}
			}
		case typ.Kind() == reflect.Map:
			vs := s.valueSchema()
			if !has("object") || vs == nil {
				t.Errorf("%s: schema type %v, want object with an additionalProperties schema", path, types)
				return
			}
			walk(path+"{}", typ.Elem(), vs)
		case typ.Kind() == reflect.Slice:
			if !has("array") || s.Items == nil {
				t.Errorf("%s: schema type %v, want array with items", path, types)
				return
			}
			walk(path+"[]", typ.Elem(), s.Items)
		case typ.Kind() == reflect.String:
			if !has("string") {
				t.Errorf("%s: schema type %v, want string", path, types)
			}
		case typ.Kind() == reflect.Bool:
			if !has("boolean") {
				t.Errorf("%s: schema type %v, want boolean", path, types)
			}
		case typ.Kind() == reflect.Int:
			if !has("integer") {
				t.Errorf("%s: schema type %v, want integer", path, types)
			}
		case typ.Kind() == reflect.Float64:
			if !has("number") {
				t.Errorf("%s: schema type %v, want number", path, types)
			}
		default:
			t.Errorf("%s: no rule for %s", path, typ)
		}
		if want, ok := enums[path]; ok {
			seenEnums[path] = true
			if d := cmp.Diff(want, s.Enum); d != "" {
				t.Errorf("%s: enum differs from validation's (-validation +schema):\n%s", path, d)
			}
		} else if typ == reflect.TypeFor[DeletionPolicy]() {
			if d := cmp.Diff(strs(deletionPolicies), s.Enum); d != "" {
				t.Errorf("%s: deletionPolicy enum (-validation +schema):\n%s", path, d)
			}
		} else if len(s.Enum) > 0 {
			t.Errorf("%s: schema has an enum that validation does not check", path)
		}
	}
	walk("Monitor", monitorType, root)
	for k := range enums {
		if !seenEnums[k] {
			t.Errorf("enum %s not reached", k)
		}
	}
	if c := root.resolve(root).Properties["apiVersion"].Const; c != APIVersion {
		t.Errorf("apiVersion const %v", c)
	}
	if c := root.resolve(root).Properties["kind"].Const; c != KindMonitor {
		t.Errorf("kind const %v", c)
	}
}

func strs(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

// TestSchemaAcceptsGoodRejectsBad checks the schema against the fixtures with a small validator
// for the keywords it uses: what validates must pass the schema (editors must not flag a valid
// file), and structural mistakes must fail it.
func TestSchemaAcceptsGoodRejectsBad(t *testing.T) {
	root := loadSchema(t)
	good, _ := filepath.Glob("testdata/good/*.yaml")
	examples, _ := filepath.Glob("../examples/*.yaml")
	good = append(good, examples...)
	for _, f := range good {
		for i, doc := range yamlDocsAsJSON(t, f) {
			if errs := schemaCheck(root, root, "", doc); len(errs) > 0 {
				t.Errorf("%s document %d: schema rejects a valid file:\n%s", f, i+1, strings.Join(errs, "\n"))
			}
		}
	}
	// Bad fixtures the schema alone can catch (the rest need kmswatch validate).
	for _, name := range []string{"unknown-field", "wrong-type-threshold", "wrong-type-list", "duplicate-key", "bad-comparison",
		"bad-statistic", "bad-treat-missing", "missing-threshold", "bad-retention", "bad-protocol", "bad-kind", "bad-api-version",
		"bad-monitor-name", "match-and-pattern", "neither-match-nor-pattern", "empty-match", "bad-duration", "too-many-actions",
		"bad-deletion-policy", "bad-bool", "bad-topic-name", "bad-log-group", "bad-region", "bad-role-arn",
		"bad-account", "bad-organization", "preset-missing-version", "preset-unknown-name", "preset-unknown-version",
		"preset-override-threshold-type", "preset-override-treat-missing", "preset-override-unknown-field",
		"endpoint-and-endpoint-from", "endpoint-from-bad-env", "endpoint-from-no-env"} {
		f := "testdata/bad/" + name + ".yaml"
		docs := yamlDocsAsJSON(t, f)
		if errs := schemaCheck(root, root, "", docs[0]); len(errs) == 0 {
			t.Errorf("%s: schema accepts it", f)
		}
	}
}
