package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kmswatch/kmswatch/spec"
)

// writeExpanded prints Monitors as a YAML stream, one document each, for `validate --expand`.
// Each Monitor goes through encoding/json first, so that the keys, their order and the fields
// left out when empty are monitor.yaml's (the JSON tags); the JSON is then rebuilt as YAML nodes
// in the same order, and written without folding long lines, so that a filter pattern reads (and
// copies) as the one line it is.
func writeExpanded(w io.Writer, file string, monitors []spec.Monitor) error {
	if _, err := fmt.Fprintf(w, "# %s as kmswatch applies it: presets expanded into alarms, defaults set.\n", file); err != nil {
		return fmt.Errorf("write expanded monitors: %w", err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	for i := range monitors {
		data, err := json.Marshal(&monitors[i])
		if err != nil {
			return fmt.Errorf("print Monitor %s: %w", monitors[i].Metadata.Name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		node, err := jsonNode(dec)
		if err != nil {
			return fmt.Errorf("print Monitor %s: %w", monitors[i].Metadata.Name, err)
		}
		if err := enc.Encode(node); err != nil {
			return fmt.Errorf("write expanded monitors: %w", err)
		}
	}
	return enc.Close()
}

// jsonNode reads one JSON value from dec as a YAML node, keeping the order of object keys.
func jsonNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		node := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if t == '{' {
			node = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		for dec.More() {
			if t == '{' {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				name, _ := key.(string)
				node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name})
			}
			child, err := jsonNode(dec)
			if err != nil {
				return nil, err
			}
			node.Content = append(node.Content, child)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return node, nil
	case string:
		// Tagged as a string, the encoder quotes what YAML would read as something else
		// ("1", "444455556666", "true").
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case json.Number:
		tag := "!!int"
		if _, err := t.Int64(); err != nil {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, errors.New("unexpected JSON token")
}
