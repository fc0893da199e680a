package spec

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/spec/redact"
	yaml "go.yaml.in/yaml/v2"
)

var (
	monitorType  = reflect.TypeFor[Monitor]()
	durationType = reflect.TypeFor[Duration]()
)

// positiveInts are integer fields for which an explicit 0 is an error rather than "unset": the
// defaults would otherwise silently replace what the user wrote with 1.
var positiveInts = map[string]bool{"evaluationPeriods": true, "datapointsToAlarm": true}

// checkText rejects, before any YAML parsing, text whose nesting is deeper than MaxDepth flow
// levels or MaxIndent columns. It is deliberately rough (it skips quoted scalars and comments but
// does not parse YAML); every real monitor.yaml is far inside both bounds.
func checkText(doc []byte) string {
	depth, indent, atLineStart := 0, 0, true
	var quote byte
	prev := byte('\n')
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if quote != 0 {
			switch {
			case quote == '"' && c == '\\':
				i++
			case c == quote:
				quote = 0
			}
			prev = c
			continue
		}
		if atLineStart {
			if c == ' ' {
				indent++
				if indent > MaxIndent {
					return fmt.Sprintf("indentation deeper than %d columns", MaxIndent)
				}
				continue
			}
			atLineStart = false
		}
		switch c {
		case '\n':
			atLineStart, indent = true, 0
		case '#':
			if isSpace(prev) {
				for i < len(doc) && doc[i] != '\n' {
					i++
				}
				atLineStart, indent = true, 0
				c = '\n'
			}
		case '"', '\'':
			// A quote opens a scalar only where a token starts; "it's" is a plain scalar.
			if isSpace(prev) || strings.IndexByte("[{,:", prev) >= 0 {
				quote = c
			}
		case '<':
			// A YAML merge key. yaml.v2 drops merged fields when decoding in order (what field
			// paths need), so the alarm would silently lose them: refuse rather than guess.
			if (isSpace(prev) || prev == '{' || prev == ',') && isMergeKey(doc[i:]) {
				return "YAML merge keys (<<) are not supported: write the fields out, or repeat a whole value with an alias (*name)"
			}
		case '[', '{':
			depth++
			if depth > MaxDepth {
				return fmt.Sprintf("nesting deeper than %d levels", MaxDepth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
		prev = c
	}
	return ""
}

// isMergeKey reports whether b starts with "<<" and then ':' (after optional blanks).
func isMergeKey(b []byte) bool {
	if len(b) < 3 || b[1] != '<' {
		return false
	}
	for _, c := range b[2:] {
		switch c {
		case ' ', '\t':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// parseTree parses one document into ordered maps (yaml.MapSlice), lists, scalars and nil.
// go.yaml.in/yaml/v2 refuses excessive aliasing ("billion laughs") and nesting beyond 10000
// itself; checkText and countNodes apply the tighter limits above.
func parseTree(doc []byte) (any, error) {
	var tree yaml.MapSlice
	if err := yaml.Unmarshal(doc, &tree); err != nil {
		if strings.Contains(err.Error(), "cannot unmarshal") {
			return nil, fmt.Errorf("document must be a mapping with apiVersion, kind, metadata and spec")
		}
		// The parser's messages quote little of the text, but a URL in one must not carry its
		// credentials into a CI log.
		return nil, fmt.Errorf("parse YAML: %s", redact.Text(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	// yaml.v2 decodes a list of mappings into a MapSlice (both are slices) as items with nil
	// keys; look again at such a document to tell a list from a mapping with a null key.
	for _, it := range tree {
		if it.Key == nil {
			var probe any
			if err := yaml.Unmarshal(doc, &probe); err == nil {
				if _, isList := probe.([]any); isList {
					return nil, fmt.Errorf("document must be a mapping with apiVersion, kind, metadata and spec, not a list")
				}
			}
			break
		}
	}
	return tree, nil
}

// treeSize counts the nodes of a decoded tree and its depth, stopping once the count passes
// limit or the depth passes MaxDepth.
func treeSize(v any, limit, depth int) (nodes, maxDepth int) {
	nodes, maxDepth = 1, depth
	if depth > MaxDepth {
		return nodes, maxDepth
	}
	visit := func(child any) {
		n, d := treeSize(child, limit-nodes, depth+1)
		nodes += n
		maxDepth = max(maxDepth, d)
	}
	switch t := v.(type) {
	case yaml.MapSlice:
		for _, it := range t {
			if nodes > limit || maxDepth > MaxDepth {
				break
			}
			nodes++ // the key
			visit(it.Value)
		}
	case []any:
		for _, e := range t {
			if nodes > limit || maxDepth > MaxDepth {
				break
			}
			visit(e)
		}
	}
	return nodes, maxDepth
}

// checkShape compares a decoded YAML value with the Go type it must decode into, reporting
// unknown fields, duplicate keys and wrong types at their field paths. It returns the value
// converted for encoding/json (maps with string keys, numbers as the fields' types); the result
// is only meaningful when no problem was reported.
func checkShape(p *problems, path string, v any, t reflect.Type, depth int) any {
	if depth > MaxDepth {
		p.errorf(path, "", "nesting deeper than %d levels", MaxDepth)
		return nil
	}
	if t == durationType {
		checkDuration(p, path, v)
		return v
	}
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return nil
		}
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return checkStruct(p, path, v, t, depth)
	case reflect.Map:
		return checkMap(p, path, v, t, depth)
	case reflect.Slice:
		return checkList(p, path, v, t, depth)
	case reflect.String:
		return checkString(p, path, v)
	case reflect.Bool:
		if _, ok := v.(bool); !ok && v != nil {
			p.errorf(path, scalarText(v), "must be true or false")
		}
		return v
	case reflect.Int:
		n, ok := asInt(v)
		switch {
		case v == nil:
		case !ok:
			p.errorf(path, scalarText(v), "must be an integer")
		case n < 0:
			p.errorf(path, scalarText(v), "must not be negative")
		case n == 0 && positiveInts[lastKey(path)]:
			p.errorf(path, "0", "must be at least 1")
		}
		return n
	case reflect.Float64:
		return checkFloat(p, path, v)
	}
	p.errorf(path, "", "internal: no shape check for %s", t)
	return nil
}

func checkList(p *problems, path string, v any, t reflect.Type, depth int) any {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		p.errorf(path, scalarText(v), "must be a list")
		return nil
	}
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = checkShape(p, fmt.Sprintf("%s[%d]", path, i), e, t.Elem(), depth+1)
	}
	return out
}

func checkFloat(p *problems, path string, v any) any {
	switch x := v.(type) {
	case nil:
	case int, int64, uint64:
		f, _ := strconv.ParseFloat(fmt.Sprint(x), 64)
		return f
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			p.errorf(path, scalarText(v), "must be a finite number")
			return nil
		}
		return x
	default:
		p.errorf(path, scalarText(v), "must be a number")
	}
	return nil
}

// checkString accepts a string, or a number written where a string belongs (converted to its
// text), and refuses a boolean with a hint about YAML's unquoted yes/no/on/off.
func checkString(p *problems, path string, v any) any {
	switch x := v.(type) {
	case string, nil:
		return x
	case int, int64, uint64:
		// `value: 1` means "1". (A hex or octal literal would print in decimal; no field
		// of monitor.yaml has a use for one.)
		return fmt.Sprint(x)
	case float64:
		// Full precision, no exponent: sigs.k8s.io/yaml prints float32 here, which turns 123456789.5
		// into 1.2345679e+08.
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		p.errorf(path, scalarText(v), "must be a string; YAML reads unquoted y, n, yes, no, on, off, true and false as booleans, so quote the value")
	default:
		p.errorf(path, scalarText(v), "must be a string")
	}
	return nil
}

func checkStruct(p *problems, path string, v any, t reflect.Type, depth int) any {
	if v == nil {
		return nil
	}
	m, ok := v.(yaml.MapSlice)
	if !ok {
		p.errorf(path, scalarText(v), "must be a mapping")
		return nil
	}
	fields := jsonFields(t)
	out := make(map[string]any, len(m))
	for _, it := range m {
		key, ok := it.Key.(string)
		if !ok {
			p.errorf(path, scalarText(it.Key), "keys must be strings")
			continue
		}
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		if _, dup := out[key]; dup {
			p.errorf(sub, "", "duplicate key")
			continue
		}
		ft, ok := fields[key]
		if !ok {
			p.errorf(sub, "", "unknown field%s", suggest(key, fields))
			out[key] = nil
			continue
		}
		out[key] = checkShape(p, sub, it.Value, ft, depth+1)
	}
	return out
}

// checkMap checks a mapping keyed by names (spec.presets[].overrides): string keys, no key
// twice, each value of the map's element type.
func checkMap(p *problems, path string, v any, t reflect.Type, depth int) any {
	if v == nil {
		return nil
	}
	m, ok := v.(yaml.MapSlice)
	if !ok {
		p.errorf(path, scalarText(v), "must be a mapping")
		return nil
	}
	out := make(map[string]any, len(m))
	for _, it := range m {
		key, ok := it.Key.(string)
		if !ok {
			p.errorf(path, scalarText(it.Key), "keys must be strings")
			continue
		}
		sub := mapKeyPath(path, key)
		if _, dup := out[key]; dup {
			p.errorf(sub, "", "duplicate key")
			continue
		}
		out[key] = checkShape(p, sub, it.Value, t.Elem(), depth+1)
	}
	return out
}

// reMapKey is a key that reads unambiguously after a dot in a field path.
var reMapKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// mapKeyPath is the field path of a map entry: path.key, or path["key"] when the key has
// characters that would make the path ambiguous.
func mapKeyPath(path, key string) string {
	if reMapKey.MatchString(key) {
		return path + "." + key
	}
	return fmt.Sprintf("%s[%q]", path, key)
}

// jsonFields maps a struct's JSON names to their types, with embedded structs' fields promoted
// as encoding/json promotes them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// suggest names a known field close to an unknown one: "thresold" → "did you mean threshold?".
func suggest(key string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for k := range fields {
		if d := editDistance(strings.ToLower(key), strings.ToLower(k)); d < bestD || (d == bestD && best != "" && k < best) {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func checkDuration(p *problems, path string, v any) {
	s, ok := v.(string)
	if !ok {
		if v != nil {
			p.errorf(path, scalarText(v), "must be a duration such as 60s or 5m (a bare number has no unit)")
		}
		return
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.errorf(path, s, "must be a duration such as 60s or 5m")
		return
	}
	if d < 0 {
		p.errorf(path, s, "must not be negative")
	}
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

// scalarText prints a decoded value for a message: scalars as written, collections by kind.
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int, int64, uint64:
		return fmt.Sprint(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case yaml.MapSlice, map[any]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
