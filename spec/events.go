package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/kmswatch/kmswatch/spec/pattern"
)

// Limits on what ReadEvents accepts; CloudTrail's own files hold a few thousand records.
const (
	MaxEventsSize = 256 << 20 // bytes read from one source
	MaxEvents     = 1_000_000
)

// Event is one CloudTrail record, as `kmswatch test` reads it.
type Event struct {
	// Source names where the event came from (a file name) and Position its 0-based place there.
	Source   string
	Position int
	// Name is the record's eventName ("" if it has none).
	Name string
	// Message is the record as compact JSON: what CloudTrail delivers to CloudWatch Logs as one
	// log event, and so what a metric filter sees.
	Message string
}

// ReadEvents reads CloudTrail records from r: CloudTrail's own files ({"Records":[...]}), JSON
// lines or concatenated JSON objects (one record each), or a JSON array of records. source names r
// in errors and in each Event.
func ReadEvents(r io.Reader, source string) ([]Event, error) {
	lr := &io.LimitedReader{R: r, N: MaxEventsSize + 1}
	dec := json.NewDecoder(lr)
	var out []Event
	add := func(raw json.RawMessage) error {
		if len(out) >= MaxEvents {
			return fmt.Errorf("more than %d events", MaxEvents)
		}
		ev, err := newEvent(raw)
		if err != nil {
			return fmt.Errorf("event %d: %w", len(out), err)
		}
		ev.Source, ev.Position = source, len(out)
		out = append(out, ev)
		return nil
	}
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if lr.N <= 0 {
			return nil, fmt.Errorf("read events %s: more than %d bytes", source, MaxEventsSize)
		}
		if err != nil {
			return nil, fmt.Errorf("read events %s: after %d events: %w", source, len(out), err)
		}
		records, isList, err := recordList(raw)
		if err != nil {
			return nil, fmt.Errorf("read events %s: %w", source, err)
		}
		if !isList {
			records = []json.RawMessage{raw}
		}
		for _, rec := range records {
			if err := add(rec); err != nil {
				return nil, fmt.Errorf("read events %s: %w", source, err)
			}
		}
	}
	return out, nil
}

// recordList returns the records of a CloudTrail file ({"Records":[...]}) or of a JSON array.
func recordList(raw json.RawMessage) ([]json.RawMessage, bool, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return nil, false, nil
	}
	switch t[0] {
	case '[':
		var list []json.RawMessage
		err := json.Unmarshal(t, &list)
		return list, true, err
	case '{':
		var file struct {
			Records *[]json.RawMessage `json:"Records"`
		}
		if err := json.Unmarshal(t, &file); err != nil || file.Records == nil {
			return nil, false, nil // an object without Records is one record
		}
		return *file.Records, true, nil
	}
	return nil, false, nil
}

func newEvent(raw json.RawMessage) (Event, error) {
	var rec struct {
		EventName any `json:"eventName"`
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return Event{}, fmt.Errorf("a CloudTrail record must be a JSON object, got %.40s", t)
	}
	if err := json.Unmarshal(t, &rec); err != nil {
		return Event{}, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, t); err != nil {
		return Event{}, err
	}
	name, _ := rec.EventName.(string)
	return Event{Name: name, Message: buf.String()}, nil
}

// EventMatch is the result of `kmswatch test` for one event; its JSON form is the command's
// --output json line.
type EventMatch struct {
	Index     int    `json:"index"`
	EventName string `json:"eventName"`
	// Matches names the alarms whose metric filters count the event, in file order; never nil.
	Matches []string `json:"matches"`
}

// Matcher decides which alarms' metric filters match an event, as CloudWatch Logs would. It is
// immutable and safe for concurrent use.
type Matcher struct {
	alarms []compiledAlarm
}

type compiledAlarm struct {
	name    string
	pattern *pattern.Pattern
}

// NewMatcher compiles every alarm's filter pattern (Alarm.Pattern) of the monitors.
func NewMatcher(monitors []Monitor) (*Matcher, error) {
	m := &Matcher{}
	for _, mon := range monitors {
		for i := range mon.Spec.Alarms {
			a := &mon.Spec.Alarms[i]
			p, err := pattern.Parse(a.Pattern())
			if err != nil {
				return nil, fmt.Errorf("compile pattern of alarm %s: %w", a.Name, err)
			}
			m.alarms = append(m.alarms, compiledAlarm{a.Name, p})
		}
	}
	return m, nil
}

// Match returns the names of the alarms whose patterns match the event message.
func (m *Matcher) Match(message string) []string {
	ev := pattern.NewEvent(message)
	out := []string{}
	for _, a := range m.alarms {
		if a.pattern.MatchEvent(ev) {
			out = append(out, a.name)
		}
	}
	return out
}

// MatchEvents matches every event; index i of the result is events[i], numbered from 0.
func (m *Matcher) MatchEvents(events []Event) []EventMatch {
	out := make([]EventMatch, len(events))
	for i, ev := range events {
		out[i] = EventMatch{Index: i, EventName: ev.Name, Matches: m.Match(ev.Message)}
	}
	return out
}

// ReadEventFiles reads the events of each path in turn; a directory contributes its *.json and
// *.jsonl files in name order.
func ReadEventFiles(paths []string) ([]Event, error) {
	var out []Event
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		} else if st.IsDir() {
			files = nil
			for _, pat := range []string{"*.json", "*.jsonl"} {
				m, err := filepath.Glob(filepath.Join(p, pat))
				if err != nil {
					return nil, fmt.Errorf("read events %s: %w", p, err)
				}
				files = append(files, m...)
			}
			sort.Strings(files)
			if len(files) == 0 {
				return nil, fmt.Errorf("read events %s: no .json or .jsonl files in the directory", p)
			}
		}
		for _, f := range files {
			evs, err := readEventFile(f)
			if err != nil {
				return nil, err
			}
			if len(out)+len(evs) > MaxEvents {
				return nil, fmt.Errorf("read events: more than %d events", MaxEvents)
			}
			out = append(out, evs...)
		}
	}
	return out, nil
}

func readEventFile(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer f.Close()
	return ReadEvents(f, path)
}
