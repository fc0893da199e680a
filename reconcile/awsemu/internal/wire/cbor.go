package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// DecodeCBOR reads a Smithy RPC v2 CBOR body (indefinite-length maps and lists, timestamps as
// tag 1 around epoch seconds) into the generic tree.
func DecodeCBOR(body []byte) (any, error) {
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return nil, err
	}
	return fromCBOR(v)
}

func fromCBOR(v cbor.Value) (any, error) {
	switch x := v.(type) {
	case cbor.Uint:
		if uint64(x) > math.MaxInt64 {
			return float64(x), nil
		}
		return int64(x), nil
	case cbor.NegInt:
		if uint64(x) > math.MaxInt64 {
			return -float64(x), nil
		}
		return -int64(x), nil
	case cbor.Slice:
		return []byte(x), nil
	case cbor.String:
		return string(x), nil
	case cbor.List:
		out := make([]any, len(x))
		for i, item := range x {
			t, err := fromCBOR(item)
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	case cbor.Map:
		out := make(map[string]any, len(x))
		for k, item := range x {
			t, err := fromCBOR(item)
			if err != nil {
				return nil, err
			}
			out[k] = t
		}
		return out, nil
	case *cbor.Tag:
		if x.ID != 1 {
			return nil, fmt.Errorf("unsupported CBOR tag %d", x.ID)
		}
		f, err := cbor.AsFloat64(x.Value)
		if err != nil {
			return nil, fmt.Errorf("timestamp: %w", err)
		}
		return EpochTime(f), nil
	case cbor.Bool:
		return bool(x), nil
	case *cbor.Nil, *cbor.Undefined, nil:
		return nil, nil
	case cbor.Float32:
		return float64(x), nil
	case cbor.Float64:
		return float64(x), nil
	}
	return nil, fmt.Errorf("unsupported CBOR value %T", v)
}

// EncodeCBOR writes the tree as CBOR; timestamps become tag 1 around float64 epoch seconds.
func EncodeCBOR(tree any) []byte {
	return cbor.Encode(toCBOR(tree))
}

func toCBOR(t any) cbor.Value {
	switch x := t.(type) {
	case map[string]any:
		m := make(cbor.Map, len(x))
		for k, v := range x {
			if v != nil {
				m[k] = toCBOR(v)
			}
		}
		return m
	case Dict:
		m := make(cbor.Map, len(x))
		for k, v := range x {
			m[k] = toCBOR(v)
		}
		return m
	case []any:
		l := make(cbor.List, len(x))
		for i, v := range x {
			l[i] = toCBOR(v)
		}
		return l
	case string:
		return cbor.String(x)
	case bool:
		return cbor.Bool(x)
	case int64:
		if x < 0 {
			return cbor.NegInt(uint64(-x))
		}
		return cbor.Uint(uint64(x))
	case float64:
		return cbor.Float64(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return toCBOR(i)
		}
		f, _ := x.Float64()
		return cbor.Float64(f)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(x.UnixMilli()) / 1e3)}
	case []byte:
		return cbor.Slice(x)
	}
	return &cbor.Nil{}
}
