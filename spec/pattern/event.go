package pattern

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// MaxJSONDepth caps the nesting of a JSON event. A deeper event is treated
// as "not JSON": JSON patterns do not match it, term patterns still do.
const MaxJSONDepth = 256

// Event is one log event message, parsed at most once into the forms the
// pattern languages need (JSON tree, space-delimited fields). It is safe for
// concurrent use.
type Event struct {
	msg string

	jsonOnce sync.Once
	root     any // decoded with json.Number; nil when not JSON
	isJSON   bool

	fieldsOnce sync.Once
	fields     []string
}

// NewEvent wraps a log event message. Parsing is lazy and cached.
func NewEvent(message string) *Event { return &Event{msg: message} }

// Message returns the raw event text.
func (e *Event) Message() string { return e.msg }

// JSON returns the decoded JSON tree (objects as map[string]any, numbers as
// json.Number) and whether the message is JSON at all.
func (e *Event) JSON() (any, bool) {
	e.jsonOnce.Do(e.parseJSON)
	return e.root, e.isJSON
}

func (e *Event) parseJSON() {
	// Cheap rejections first: most non-JSON text fails on the first byte.
	b := bytes.TrimLeft([]byte(e.msg), " \t\r\n")
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') || !depthWithin(b, MaxJSONDepth) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return
	}
	// The whole message must be one JSON value.
	if _, err := dec.Token(); err != io.EOF {
		return
	}
	e.root, e.isJSON = v, true
}

// depthWithin reports whether the bracket nesting of b (outside strings)
// stays within max. It does not validate; the decoder does.
func depthWithin(b []byte, max int) bool {
	depth, inStr, esc := 0, false, false
	for _, c := range b {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return false
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return true
}

// resolve walks sel from root. found is false when some step is missing or
// walks into something that is not an object (for a key) or array (for an
// index).
func resolve(root any, sel selector) (v any, found bool) {
	v = root
	for _, st := range sel {
		if st.isIndex {
			arr, ok := v.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false
			}
			v = arr[st.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[st.key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// leafText renders a value node (string, number, boolean) as text; ok is
// false for null, objects and arrays, which no comparison matches (AWS: "The
// SELECTOR must point to a value node (string or number) ... If it points to
// an array or object, the filter will not be applied").
func leafText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return string(t), true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// Lookup resolves a JSON selector such as "$.a.b[0]" in a JSON event, as
// CloudWatch does for a metricValue like "$.latency". ok is false if the
// selector is malformed, the event is not JSON, or the selector does not
// reach a value node.
func Lookup(e *Event, sel string) (value string, ok bool) {
	s := &scanner{src: sel}
	if s.eof() || s.peek() != '$' {
		return "", false
	}
	steps, err := s.parseSelector()
	if err != nil || !s.eof() {
		return "", false
	}
	root, isJSON := e.JSON()
	if !isJSON {
		return "", false
	}
	v, found := resolve(root, steps)
	if !found {
		return "", false
	}
	return leafText(v)
}
