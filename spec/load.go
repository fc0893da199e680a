package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/kmswatch/kmswatch/spec/redact"
	yaml "go.yaml.in/yaml/v2"
	sigsyaml "sigs.k8s.io/yaml"
)

// Limits that keep a hostile or broken file from taking unbounded memory or time. A real
// monitor.yaml is a few kilobytes; these are orders of magnitude above that.
const (
	// MaxFileSize is the largest file Load reads.
	MaxFileSize = 1 << 20
	// MaxDepth bounds nesting, both of flow collections ([ { ) and of the decoded tree.
	MaxDepth = 32
	// MaxIndent bounds leading spaces: block nesting needs one more indent per level.
	MaxIndent = 256
	// MaxNodes bounds the nodes of one document after anchors and aliases are expanded.
	MaxNodes = 100_000
	// MaxDocuments bounds the documents of one file.
	MaxDocuments = 100
)

// File is a loaded monitor.yaml: its Monitors, defaulted and valid, and the warnings about what
// is valid but probably wrong.
type File struct {
	Monitors []Monitor
	Warnings []Problem
}

// LoadOptions says how a file is loaded. The zero value reads endpointFrom variables from the
// process environment and requires each to be set: what `kmswatch run` needs.
type LoadOptions struct {
	// LookupEnv reads the variable an endpointFrom names; nil means os.LookupEnv. Tests inject
	// their own rather than change the process environment.
	LookupEnv func(name string) (string, bool)
	// AllowUnsetEnv makes an endpointFrom variable that is unset or empty a warning instead of
	// an error, for offline validation (`kmswatch validate` without --strict, `kmswatch test`):
	// the variable is set where kmswatch runs, not where the file is reviewed. The endpoint is
	// then left unresolved (Subscription.Resolved empty) and unchecked.
	AllowUnsetEnv bool
}

// Load reads, decodes, defaults and validates the monitor.yaml at path, with the zero
// LoadOptions. An invalid file returns an ErrorList holding every problem of every document;
// any other error is an I/O error.
func Load(path string) (*File, error) { return LoadOptions{}.Load(path) }

// LoadBytes is Load for data already in memory; name (the file's path) prefixes every problem.
func LoadBytes(data []byte, name string) (*File, error) {
	return LoadOptions{}.LoadBytes(data, name)
}

// Load is the package's Load with these options.
func (o LoadOptions) Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open monitor file: %w", err)
	}
	defer f.Close()
	// Read one byte past the limit to tell "exactly at the limit" from "over it" without
	// holding a 10 GB file in memory.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read monitor file %s: %w", path, err)
	}
	return o.LoadBytes(data, path)
}

// LoadBytes is the package's LoadBytes with these options.
func (o LoadOptions) LoadBytes(data []byte, name string) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: name, Msg: fmt.Sprintf("file is larger than %d bytes (1 MiB); a monitor.yaml is a few kilobytes", MaxFileSize)}}
	}
	docs := splitDocuments(data)
	if len(docs) > MaxDocuments {
		return nil, ErrorList{{File: name, Msg: fmt.Sprintf("file has %d documents, more than the limit of %d", len(docs), MaxDocuments)}}
	}
	var errs ErrorList
	var warnings []Problem
	out := &File{}
	var docNums []int
	for i, doc := range docs {
		p := &problems{file: name, doc: i + 1}
		m, ok := decodeDocument(doc, p)
		if ok {
			SetDefaults(&m)
			o.resolveEndpoints(p, &m)
			out.Monitors = append(out.Monitors, m)
			docNums = append(docNums, i+1)
		}
		errs = append(errs, p.errs...)
		warnings = append(warnings, p.warnings...)
	}
	if len(docs) == 0 {
		errs = append(errs, &FieldError{File: name, Msg: "no Monitor document in file (want apiVersion: " + APIVersion + ", kind: " + KindMonitor + ")"})
	}
	verrs, vwarnings := validateFile(out.Monitors, docNums, name)
	errs = append(errs, verrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	for i := range out.Monitors {
		ExpandPresets(&out.Monitors[i])
	}
	out.Warnings = append(warnings, vwarnings...)
	return out, nil
}

// Validate checks monitors built in code (or loaded and changed) as Load checks a file; it
// expects SetDefaults to have run. It checks spec.presets but does not expand them
// (ExpandPresets does). It reads no environment: an endpointFrom subscription is checked with the
// value in its Resolved field, and not at all while that is empty. Problems name documents by
// their position in monitors, from 1.
func Validate(monitors []Monitor) (ErrorList, []Problem) {
	nums := make([]int, len(monitors))
	for i := range nums {
		nums[i] = i + 1
	}
	return validateFile(monitors, nums, "")
}

// decodeDocument decodes one document strictly. It first checks the document's shape against
// the Go types by hand, because encoding/json names neither the path of an unknown field nor the
// index of a wrong-typed list element; only a document whose shape is right is then decoded.
func decodeDocument(doc []byte, p *problems) (Monitor, bool) {
	var m Monitor
	if msg := checkText(doc); msg != "" {
		p.errorf("", "", "%s", msg)
		return m, false
	}
	tree, err := parseTree(doc)
	if err != nil {
		p.errorf("", "", "%s", err)
		return m, false
	}
	switch n, depth := treeSize(tree, MaxNodes, 0); {
	case n > MaxNodes:
		p.errorf("", "", "document has more than %d nodes (counting what anchors and aliases expand to); a monitor.yaml needs a few hundred", MaxNodes)
		return m, false
	case depth > MaxDepth:
		p.errorf("", "", "nesting deeper than %d levels", MaxDepth)
		return m, false
	}
	// Another kind or version has other fields: say that, rather than list them as unknown.
	if header(p, tree) {
		return m, false
	}
	before := len(p.errs)
	value := checkShape(p, "", tree, monitorType, 0)
	if len(p.errs) > before {
		return m, false
	}
	// The shape is right and the values converted, so this strict decode cannot fail on
	// anything the user wrote; keep its words if it ever does. sigs.k8s.io/yaml is the decoder
	// of record (json tags, unknown fields and duplicate keys refused); the walk above exists
	// because it names neither the path of an unknown field nor the index of a bad list
	// element, and because it would format a number written into a string field at float32
	// precision — the walk has already turned those into strings.
	data, err := json.Marshal(value)
	if err == nil {
		err = sigsyaml.UnmarshalStrict(data, &m)
	}
	if err != nil {
		p.errorf("", "", "decode: %s", redact.Text(err.Error()))
		return m, false
	}
	return m, true
}

// header reports a document whose apiVersion or kind is another's, and whether it did.
func header(p *problems, tree any) bool {
	top, _ := tree.(yaml.MapSlice)
	bad := false
	for _, it := range top {
		v, isString := it.Value.(string)
		switch {
		case it.Key == "apiVersion" && isString && v != APIVersion:
			p.errorf("apiVersion", v, "must be %s", APIVersion)
			bad = true
		case it.Key == "kind" && isString && v != KindMonitor:
			p.errorf("kind", v, "must be %s", KindMonitor)
			bad = true
		}
	}
	return bad
}

// splitDocuments cuts a stream at "---" lines, as kubectl does. A "---" at column 0 cannot occur
// inside a scalar (YAML forbids document markers there), so a textual split is exact. Documents
// holding only comments and blank space are dropped, so a leading "---" is harmless.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur []byte
	flush := func() {
		if !blankDocument(cur) {
			docs = append(docs, cur)
		}
		cur = nil
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if isDocumentMarker(line) {
			flush()
			// Content after the marker ("--- {a: 1}") belongs to the next document.
			cur = append(cur, bytes.TrimLeft(line[3:], " \t")...)
			continue
		}
		cur = append(cur, line...)
	}
	flush()
	return docs
}

func isDocumentMarker(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

func blankDocument(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("...")) {
			return false
		}
	}
	return true
}
