package sns

import (
	"encoding/json"
	"strconv"
	"strings"
)

// snsFilterAccepts applies a subscription's FilterPolicy to a message: on its attributes (the
// default FilterPolicyScope, MessageAttributes) or on its JSON body (MessageBody). Keys are
// AND'ed, the conditions listed for a key OR'ed. Supported conditions: exact strings and
// numbers, null, exists, prefix, suffix, equals-ignore-case, anything-but and numeric ranges.
// A message with no attributes fails any attribute policy, which is why an alarm's state change
// never reaches a subscription filtering on attributes.
func snsFilterAccepts(subAttrs, msgAttrs map[string]string, body string) bool {
	raw := subAttrs["FilterPolicy"]
	if raw == "" {
		return true
	}
	var policy map[string]any
	if json.Unmarshal([]byte(raw), &policy) != nil {
		return true // validated when set; an unreadable policy filters nothing
	}
	if subAttrs["FilterPolicyScope"] == "MessageBody" {
		var doc map[string]any
		if json.Unmarshal([]byte(body), &doc) != nil {
			return false
		}
		return snsMatchObject(policy, doc)
	}
	doc := make(map[string]any, len(msgAttrs))
	for k, v := range msgAttrs {
		doc[k] = v
	}
	return snsMatchObject(policy, doc)
}

func snsMatchObject(policy, doc map[string]any) bool {
	for key, want := range policy {
		got, present := doc[key]
		switch w := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !snsMatchObject(w, sub) {
				return false
			}
		case []any:
			if !snsMatchAny(w, got, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// snsMatchAny reports whether any condition matches the value (or any element of an array value).
func snsMatchAny(conds []any, got any, present bool) bool {
	values := []any{got}
	if list, ok := got.([]any); ok {
		values = list
	}
	for _, cond := range conds {
		if m, ok := cond.(map[string]any); ok {
			if e, ok := m["exists"].(bool); ok {
				if e == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, v := range values {
			if snsMatchOne(cond, v) {
				return true
			}
		}
	}
	return false
}

func snsMatchOne(cond, v any) bool {
	s, isStr := v.(string)
	switch c := cond.(type) {
	case nil:
		return v == nil
	case string:
		return isStr && s == c
	case float64:
		n, ok := snsNumber(v)
		return ok && n == c
	case map[string]any:
		for op, arg := range c {
			switch op {
			case "prefix":
				p, _ := arg.(string)
				return isStr && strings.HasPrefix(s, p)
			case "suffix":
				p, _ := arg.(string)
				return isStr && strings.HasSuffix(s, p)
			case "equals-ignore-case":
				p, _ := arg.(string)
				return isStr && strings.EqualFold(s, p)
			case "anything-but":
				switch a := arg.(type) {
				case []any:
					for _, x := range a {
						if snsMatchOne(x, v) {
							return false
						}
					}
					return true
				case map[string]any:
					return !snsMatchOne(a, v)
				default:
					return !snsMatchOne(a, v)
				}
			case "numeric":
				return snsMatchNumeric(arg, v)
			}
		}
	}
	return false
}

func snsMatchNumeric(arg, v any) bool {
	n, ok := snsNumber(v)
	ops, isList := arg.([]any)
	if !ok || !isList || len(ops)%2 != 0 {
		return false
	}
	for i := 0; i < len(ops); i += 2 {
		op, _ := ops[i].(string)
		bound, ok := ops[i+1].(float64)
		if !ok {
			return false
		}
		var pass bool
		switch op {
		case "=":
			pass = n == bound
		case ">":
			pass = n > bound
		case ">=":
			pass = n >= bound
		case "<":
			pass = n < bound
		case "<=":
			pass = n <= bound
		}
		if !pass {
			return false
		}
	}
	return true
}

// snsNumber reads a number from a JSON body value or a Number message attribute's string.
func snsNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}
