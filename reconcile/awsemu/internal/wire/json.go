package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// DecodeJSON reads an awsJson 1.0/1.1 body into the generic tree; numbers stay json.Number so
// that integers keep their precision. An empty body is an empty structure.
func DecodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// EncodeJSON writes the tree as AWS JSON: timestamps as epoch seconds, blobs as base64.
func EncodeJSON(tree any) []byte {
	b, err := json.Marshal(JSONReady(tree))
	if err != nil {
		return []byte(`{}`)
	}
	return b
}

// JSONReady converts a tree for encoding/json: Dict becomes a plain map and timestamps become
// epoch seconds with millisecond precision, as the awsJson protocols send them.
func JSONReady(tree any) any {
	switch v := tree.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = JSONReady(x)
		}
		return out
	case Dict:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = JSONReady(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = JSONReady(x)
		}
		return out
	case time.Time:
		return json.Number(fmt.Sprintf("%.3f", float64(v.UnixMilli())/1e3))
	}
	return tree
}
