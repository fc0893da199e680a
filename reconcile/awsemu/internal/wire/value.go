package wire

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The emulator decodes every protocol's request body into one generic tree and encodes one
// generic tree into every protocol's response, so that a service handler is written once:
//
//	map[string]any  an AWS structure (members by their model names)
//	Dict            an AWS map shape (string keys)
//	[]any           a list
//	string, bool, int64, float64, json.Number, time.Time, []byte, nil
//
// Handlers never see the tree: they decode it into a typed input struct with Decode (through core.Call.Decode) and
// return a typed output struct, both named by `json` tags that spell the model's member names
// (PascalCase for CloudWatch, SNS and CloudTrail, camelCase for CloudWatch Logs).
type Dict map[string]any

// Decode fills out (a pointer) from a generic tree. It coerces the query protocol's strings
// into numbers, booleans and timestamps, so that the same typed input serves every protocol.
func Decode(tree any, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("decode: need a non-nil pointer, got %T", out)
	}
	return decodeValue(tree, v.Elem(), "")
}

func decodeValue(tree any, v reflect.Value, path string) error {
	if tree == nil {
		return nil
	}
	if v.Type() == reflect.TypeOf(time.Time{}) {
		t, err := toTime(tree)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decodeValue(tree, v.Elem(), path)
	case reflect.Interface:
		v.Set(reflect.ValueOf(tree))
		return nil
	case reflect.Struct:
		return decodeStruct(tree, v, path)
	case reflect.Slice:
		return decodeSlice(tree, v, path)
	case reflect.Map:
		return decodeMap(tree, v, path)
	}
	return decodeScalar(tree, v, path)
}

func decodeStruct(tree any, v reflect.Value, path string) error {
	obj, ok := AsObject(tree)
	if !ok {
		return fmt.Errorf("%s: expected a structure, got %T", path, tree)
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := memberName(f)
		if name == "-" {
			continue
		}
		sub, ok := obj[name]
		if !ok {
			continue
		}
		if err := decodeValue(sub, v.Field(i), joinPath(path, name)); err != nil {
			return err
		}
	}
	return nil
}

func decodeSlice(tree any, v reflect.Value, path string) error {
	if v.Type().Elem().Kind() == reflect.Uint8 {
		b, err := toBytes(tree)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		v.SetBytes(b)
		return nil
	}
	list, ok := tree.([]any)
	if !ok {
		// The query protocol sends an empty, non-nil list as "X=".
		if s, isStr := tree.(string); isStr && s == "" {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return nil
		}
		return fmt.Errorf("%s: expected a list, got %T", path, tree)
	}
	s := reflect.MakeSlice(v.Type(), len(list), len(list))
	for i, item := range list {
		if err := decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func decodeMap(tree any, v reflect.Value, path string) error {
	obj, ok := AsObject(tree)
	if !ok {
		if s, isStr := tree.(string); isStr && s == "" {
			v.Set(reflect.MakeMap(v.Type()))
			return nil
		}
		return fmt.Errorf("%s: expected a map, got %T", path, tree)
	}
	m := reflect.MakeMapWithSize(v.Type(), len(obj))
	for k, item := range obj {
		ev := reflect.New(v.Type().Elem()).Elem()
		if err := decodeValue(item, ev, joinPath(path, k)); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
	}
	v.Set(m)
	return nil
}

// decodeScalar fills a string, boolean or number, coercing the query protocol's strings.
func decodeScalar(tree any, v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.String:
		switch s := tree.(type) {
		case string:
			v.SetString(s)
		case json.Number:
			v.SetString(s.String())
		default:
			return fmt.Errorf("%s: expected a string, got %T", path, tree)
		}
		return nil
	case reflect.Bool:
		switch b := tree.(type) {
		case bool:
			v.SetBool(b)
		case string:
			pb, err := strconv.ParseBool(b)
			if err != nil {
				return fmt.Errorf("%s: expected a boolean, got %q", path, b)
			}
			v.SetBool(pb)
		default:
			return fmt.Errorf("%s: expected a boolean, got %T", path, tree)
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, err := toFloat(tree)
		if err != nil || f != math.Trunc(f) {
			return fmt.Errorf("%s: expected an integer, got %v", path, tree)
		}
		v.SetInt(int64(f))
		return nil
	case reflect.Float32, reflect.Float64:
		f, err := toFloat(tree)
		if err != nil {
			return fmt.Errorf("%s: expected a number, got %v", path, tree)
		}
		v.SetFloat(f)
		return nil
	}
	return fmt.Errorf("%s: cannot decode into %s", path, v.Type())
}

// AsObject returns a tree node that is a structure or a map as a Go map.
func AsObject(tree any) (map[string]any, bool) {
	switch o := tree.(type) {
	case map[string]any:
		return o, true
	case Dict:
		return o, true
	}
	return nil, false
}

func toFloat(tree any) (float64, error) {
	switch n := tree.(type) {
	case float64:
		return n, nil
	case float32:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	case int:
		return float64(n), nil
	case json.Number:
		return n.Float64()
	case string:
		return strconv.ParseFloat(n, 64)
	}
	return 0, fmt.Errorf("not a number: %T", tree)
}

func toTime(tree any) (time.Time, error) {
	switch t := tree.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.000Z"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC(), nil
			}
		}
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return EpochTime(f), nil
		}
		return time.Time{}, fmt.Errorf("expected a timestamp, got %q", t)
	}
	f, err := toFloat(tree)
	if err != nil {
		return time.Time{}, fmt.Errorf("expected a timestamp, got %T", tree)
	}
	return EpochTime(f), nil
}

// EpochTime converts epoch seconds (with a fraction) to a UTC time at millisecond precision.
func EpochTime(sec float64) time.Time {
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
}

func toBytes(tree any) ([]byte, error) {
	switch b := tree.(type) {
	case []byte:
		return b, nil
	case string:
		return base64.StdEncoding.DecodeString(b)
	}
	return nil, fmt.Errorf("expected a blob, got %T", tree)
}

// ToTree turns a handler's typed output into the generic tree. Nil pointers, slices and maps
// and `omitempty` zero values are left out, as AWS leaves out absent members.
func ToTree(out any) any {
	if out == nil {
		return map[string]any{}
	}
	return treeOf(reflect.ValueOf(out))
}

func treeOf(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == reflect.TypeOf(time.Time{}) {
		return v.Interface().(time.Time).UTC()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return treeOf(v.Elem())
	case reflect.Struct:
		obj := make(map[string]any, v.NumField())
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := memberName(f)
			if name == "-" {
				continue
			}
			fv := v.Field(i)
			if isNilish(fv) || (omitEmpty(f) && fv.IsZero()) {
				continue
			}
			obj[name] = treeOf(fv)
		}
		return obj
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		d := make(Dict, v.Len())
		it := v.MapRange()
		for it.Next() {
			d[it.Key().String()] = treeOf(it.Value())
		}
		return d
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes()
		}
		list := make([]any, v.Len())
		for i := range list {
			list[i] = treeOf(v.Index(i))
		}
		return list
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return fmt.Sprint(v.Interface())
}

func isNilish(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	}
	return false
}

func memberName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "" {
		return f.Name
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

func omitEmpty(f reflect.StructField) bool {
	_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	return strings.Contains(opts, "omitempty")
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
