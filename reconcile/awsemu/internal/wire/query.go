package wire

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DecodeQuery turns an awsQuery form (Tags.member.1.Key=k, Attributes.entry.1.key=a,
// Attributes.entry.1.value=b) into the generic tree. Lists and maps are recognised by their
// "member"/"entry" segments, so no model is needed.
func DecodeQuery(form url.Values) (any, error) {
	root := &qnode{}
	for key, vals := range form {
		if key == "Action" || key == "Version" || len(vals) == 0 {
			continue
		}
		root.insert(strings.Split(key, "."), vals[0])
	}
	tree := root.finish()
	if tree == "" || tree == nil {
		return map[string]any{}, nil
	}
	return tree, nil
}

type qnode struct {
	leaf    *string
	fields  map[string]*qnode
	list    map[int]*qnode
	entries map[int]*qnode
}

func (n *qnode) insert(segs []string, value string) {
	cur := n
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		if (s == "member" || s == "entry") && i+1 < len(segs) {
			if idx, err := strconv.Atoi(segs[i+1]); err == nil {
				m := &cur.list
				if s == "entry" {
					m = &cur.entries
				}
				if *m == nil {
					*m = map[int]*qnode{}
				}
				if (*m)[idx] == nil {
					(*m)[idx] = &qnode{}
				}
				cur = (*m)[idx]
				i++
				continue
			}
		}
		if cur.fields == nil {
			cur.fields = map[string]*qnode{}
		}
		if cur.fields[s] == nil {
			cur.fields[s] = &qnode{}
		}
		cur = cur.fields[s]
	}
	cur.leaf = &value
}

func (n *qnode) finish() any {
	switch {
	case n.list != nil:
		idx := sortedKeys(n.list)
		out := make([]any, 0, len(idx))
		for _, i := range idx {
			out = append(out, n.list[i].finish())
		}
		return out
	case n.entries != nil:
		out := Dict{}
		for _, e := range n.entries {
			k, v := e.child("key", "Name"), e.child("value", "Value")
			if k == nil || k.leaf == nil {
				continue
			}
			if v == nil {
				out[*k.leaf] = nil
			} else {
				out[*k.leaf] = v.finish()
			}
		}
		return out
	case n.fields != nil:
		out := make(map[string]any, len(n.fields))
		for k, c := range n.fields {
			out[k] = c.finish()
		}
		return out
	case n.leaf != nil:
		return *n.leaf
	}
	return nil
}

func (n *qnode) child(names ...string) *qnode {
	for _, name := range names {
		if c := n.fields[name]; c != nil {
			return c
		}
	}
	return nil
}

func sortedKeys(m map[int]*qnode) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// EncodeQueryResponse writes <OpResponse><OpResult>…</OpResult><ResponseMetadata>….
func EncodeQueryResponse(op, ns string, tree any, rid string) []byte {
	var b strings.Builder
	b.WriteString(`<` + op + `Response xmlns="` + ns + `"><` + op + `Result>`)
	if obj, ok := tree.(map[string]any); ok {
		writeXMLMembers(&b, obj)
	}
	b.WriteString(`</` + op + `Result><ResponseMetadata><RequestId>` + rid + `</RequestId></ResponseMetadata></` + op + `Response>`)
	return []byte(b.String())
}

// EncodeQueryError writes awsQuery's <ErrorResponse> with the fault type, code and message.
func EncodeQueryError(ae *APIError, rid string) []byte {
	var b strings.Builder
	b.WriteString(`<ErrorResponse><Error><Type>` + ae.fault() + `</Type><Code>`)
	xmlEscape(&b, ae.QueryCode())
	b.WriteString(`</Code><Message>`)
	xmlEscape(&b, ae.Message)
	b.WriteString(`</Message></Error><RequestId>` + rid + `</RequestId></ErrorResponse>`)
	return []byte(b.String())
}

func writeXMLMembers(b *strings.Builder, obj map[string]any) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("<" + k + ">")
		writeXMLValue(b, obj[k])
		b.WriteString("</" + k + ">")
	}
}

func writeXMLValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		writeXMLMembers(b, x)
	case Dict:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString("<entry><key>")
			xmlEscape(b, k)
			b.WriteString("</key><value>")
			writeXMLValue(b, x[k])
			b.WriteString("</value></entry>")
		}
	case []any:
		for _, item := range x {
			b.WriteString("<member>")
			writeXMLValue(b, item)
			b.WriteString("</member>")
		}
	case string:
		xmlEscape(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	case json.Number:
		b.WriteString(x.String())
	case time.Time:
		b.WriteString(x.UTC().Format("2006-01-02T15:04:05.000Z"))
	case []byte:
		b.WriteString(base64.StdEncoding.EncodeToString(x))
	}
}

func xmlEscape(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s))
}
