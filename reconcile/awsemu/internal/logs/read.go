package logs

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
	"github.com/kmswatch/kmswatch/spec/pattern"
)

// eventKey is an event's place in (timestamp, seq) order, printed into tokens.
type eventKey struct {
	ts  int64
	seq uint64
}

func (k eventKey) String() string { return fmt.Sprintf("%020d%020d", k.ts, k.seq) }

func keyOf(e storedEvent) eventKey { return eventKey{e.ts, e.seq} }

func (k eventKey) less(o eventKey) bool { return k.ts < o.ts || (k.ts == o.ts && k.seq < o.seq) }

// parseEventKey reads the 40 digits of a GetLogEvents token after its "f/" or "b/".
func parseEventKey(s string) (eventKey, bool) {
	if len(s) != 40 || strings.Trim(s, "0123456789") != "" {
		return eventKey{}, false
	}
	var k eventKey
	if _, err := fmt.Sscanf(s[:20], "%d", &k.ts); err != nil {
		return eventKey{}, false
	}
	if _, err := fmt.Sscanf(s[20:], "%d", &k.seq); err != nil {
		return eventKey{}, false
	}
	return k, true
}

type outputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// timeWindow keeps events with start <= ts < end (GetLogEvents: endTime is exclusive) or
// start <= ts <= end (FilterLogEvents: "later than this time are not returned").
func timeWindow(start, end *int64, endInclusive bool) func(ts int64) bool {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if start != nil {
		lo = *start
	}
	if end != nil {
		hi = *end
		if endInclusive && hi < math.MaxInt64 {
			hi++
		}
	}
	return func(ts int64) bool { return ts >= lo && ts < hi }
}

// getLogEvents pages through one stream: without a token from the head (startFromHead) or the
// tail (the default); "f/" tokens continue forward after an event, "b/" tokens backward before
// one. At the end of the stream AWS returns the token it was given.
func (s *logsService) getLogEvents(c *core.Call) (any, error) {
	var in struct {
		Group         string  `json:"logGroupName"`
		Ident         string  `json:"logGroupIdentifier"`
		Stream        string  `json:"logStreamName"`
		StartTime     *int64  `json:"startTime"`
		EndTime       *int64  `json:"endTime"`
		NextToken     *string `json:"nextToken"`
		Limit         *int32  `json:"limit"`
		StartFromHead bool    `json:"startFromHead"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, "limit", MaxBatchEvents, defaultReadLimit)
	if err != nil {
		return nil, err
	}
	if err := validStreamName(in.Stream); err != nil {
		return nil, err
	}
	forward, backward := true, false
	var at eventKey
	if in.NextToken != nil {
		dir, rest, _ := strings.Cut(*in.NextToken, "/")
		k, ok := parseEventKey(rest)
		if !ok || (dir != "f" && dir != "b") {
			return nil, invalidLogsToken()
		}
		at, forward, backward = k, dir == "f", dir == "b"
	}
	g, err := s.groupByIdentifier(c, in.Group, in.Ident)
	if err != nil {
		return nil, err
	}
	st := g.streams[in.Stream]
	if st == nil {
		return nil, wire.Errorf("ResourceNotFoundException", "The specified log stream does not exist.")
	}
	inWindow := timeWindow(in.StartTime, in.EndTime, false)
	var window []storedEvent
	for _, ev := range st.events {
		if inWindow(ev.ts) {
			window = append(window, ev)
		}
	}
	var page []storedEvent
	switch {
	case in.NextToken != nil && forward:
		i := sort.Search(len(window), func(i int) bool { return at.less(keyOf(window[i])) })
		page = window[i:min(i+limit, len(window))]
	case backward:
		j := sort.Search(len(window), func(i int) bool { return !keyOf(window[i]).less(at) })
		page = window[max(0, j-limit):j]
	case in.StartFromHead:
		page = window[:min(limit, len(window))]
	default:
		page = window[max(0, len(window)-limit):]
	}
	var out struct {
		Events   []outputLogEvent `json:"events"`
		Forward  string           `json:"nextForwardToken"`
		Backward string           `json:"nextBackwardToken"`
	}
	out.Events = make([]outputLogEvent, 0, len(page))
	for _, ev := range page {
		out.Events = append(out.Events, outputLogEvent{Timestamp: ev.ts, Message: ev.msg, IngestionTime: ev.ingest})
	}
	if len(page) == 0 {
		if in.NextToken != nil {
			out.Forward, out.Backward = *in.NextToken, *in.NextToken
		} else {
			out.Forward, out.Backward = "f/"+eventKey{}.String(), "b/"+eventKey{}.String()
		}
		return out, nil
	}
	out.Forward = "f/" + keyOf(page[len(page)-1]).String()
	out.Backward = "b/" + keyOf(page[0]).String()
	return out, nil
}

type filteredLogEvent struct {
	Stream        string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// filterLogEventsInput is FilterLogEvents' request.
type filterLogEventsInput struct {
	Group        string   `json:"logGroupName"`
	Ident        string   `json:"logGroupIdentifier"`
	StreamNames  []string `json:"logStreamNames"`
	StreamPrefix *string  `json:"logStreamNamePrefix"`
	StartTime    *int64   `json:"startTime"`
	EndTime      *int64   `json:"endTime"`
	Pattern      string   `json:"filterPattern"`
	NextToken    *string  `json:"nextToken"`
	Limit        *int32   `json:"limit"`
}

func (s *logsService) filterLogEvents(c *core.Call) (any, error) {
	var in filterLogEventsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, "limit", MaxBatchEvents, defaultReadLimit)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	pat, err := pattern.Parse(in.Pattern)
	if err != nil {
		return nil, wire.Errorf("InvalidParameterException", "Invalid filter pattern: "+err.Error())
	}
	var after *eventKey
	if in.NextToken != nil {
		raw, ok := core.ReadPageToken("logs:FilterLogEvents", *in.NextToken)
		k, ok2 := parseEventKey(raw)
		if !ok || !ok2 {
			return nil, invalidLogsToken()
		}
		after = &k
	}
	g, err := s.groupByIdentifier(c, in.Group, in.Ident)
	if err != nil {
		return nil, err
	}
	hits, keys := in.matches(g, pat, after)
	// Events of all streams are interleaved in time order (interleaved is always true now).
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]].less(keys[idx[b]]) })
	var out struct {
		Events    []filteredLogEvent `json:"events"`
		NextToken string             `json:"nextToken,omitempty"`
	}
	out.Events = make([]filteredLogEvent, 0, min(limit, len(idx)))
	for n, i := range idx {
		if n == limit {
			out.NextToken = core.PageToken("logs:FilterLogEvents", keys[idx[n-1]].String())
			break
		}
		out.Events = append(out.Events, hits[i])
	}
	return out, nil
}

// validate applies FilterLogEvents' constraints on streams, times and the pattern's length.
func (in *filterLogEventsInput) validate() error {
	if in.StreamNames != nil && in.StreamPrefix != nil {
		return wire.Errorf("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive. Only one of these parameters can be passed.")
	}
	if in.StreamNames != nil && (len(in.StreamNames) < 1 || len(in.StreamNames) > 100) {
		return core.Constraint(len(in.StreamNames), "logStreamNames", "have length between 1 and 100")
	}
	if in.StartTime != nil && in.EndTime != nil && *in.EndTime < *in.StartTime {
		return wire.Errorf("InvalidParameterException", "endTime must be greater than or equal to startTime.")
	}
	return checkLength(in.Pattern, "filterPattern", 0, 1024)
}

// matches gathers g's events that the request selects (streams, time window, after the page
// key) and pat matches, with their sort keys, in no particular order.
func (in *filterLogEventsInput) matches(g *logGroup, pat *pattern.Pattern, after *eventKey) ([]filteredLogEvent, []eventKey) {
	names := map[string]bool{}
	for _, n := range in.StreamNames {
		names[n] = true
	}
	inWindow := timeWindow(in.StartTime, in.EndTime, true)
	var hits []filteredLogEvent
	var keys []eventKey
	for _, st := range g.streams {
		if (in.StreamNames != nil && !names[st.name]) || (in.StreamPrefix != nil && !strings.HasPrefix(st.name, *in.StreamPrefix)) {
			continue
		}
		for _, ev := range st.events {
			k := keyOf(ev)
			if !inWindow(ev.ts) || (after != nil && !after.less(k)) || !pat.Match(ev.msg) {
				continue
			}
			hits = append(hits, filteredLogEvent{Stream: st.name, Timestamp: ev.ts, Message: ev.msg, IngestionTime: ev.ingest, EventID: ev.id()})
			keys = append(keys, k)
		}
	}
	return hits, keys
}
