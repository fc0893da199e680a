package logs

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/spec/pattern"
)

// Metric filters in the pipeline. Each ingested event is matched against every filter of its
// log group; a match emits one datapoint (w.Bus.PutDatum) at the event's timestamp, with the
// filter's metricValue and dimensions — CloudWatch aggregates them per minute. defaultValue is
// AWS's "if logs are ingested during a one-minute time period but no matches are found, the
// value specified for Default Value (if any) is reported": for each minute of event time in which
// events reached the group, each filter that existed then and matched none of them emits its
// defaultValue at the minute's start, once the clock has passed the minute (the tick). AWS
// decides by the minute of ingestion, the emulator by the minute of event time: the same for
// events put as they happen, and for CloudTrail's, which it stamps with their delivery time.

const minuteMs = int64(time.Minute / time.Millisecond)

// runFilters matches a freshly ingested batch; called with the lock held.
func (s *logsService) runFilters(g *logGroup, batch []storedEvent) {
	if len(g.filters) == 0 {
		return
	}
	names := make([]string, 0, len(g.filters))
	for n := range g.filters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, ev := range batch {
		pe := pattern.NewEvent(ev.msg)
		minute := floorMinute(ev.ts)
		// A minute already closed by the tick takes matches but no longer decides defaults.
		var seen map[string]bool
		if minute >= s.closedBefore {
			seen = g.minutes[minute]
			if seen == nil {
				seen = map[string]bool{}
				g.minutes[minute] = seen
				s.open[g] = true
			}
		}
		for _, name := range names {
			f := g.filters[name]
			ok, fields := f.pat.Extract(pe)
			if seen != nil {
				seen[name] = seen[name] || ok
			}
			if !ok {
				continue
			}
			d, ok := s.datumFor(g, f, pe, fields)
			if !ok {
				continue
			}
			d.Time = time.UnixMilli(ev.ts).UTC()
			d.Region = g.region
			if s.w.Bus.PutDatum != nil {
				s.w.Bus.PutDatum(d)
			}
		}
	}
}

// datumFor builds a match's datapoint; ok is false when the event lacks the metricValue field,
// the field is not a number, or a dimension cannot be resolved — AWS emits nothing then.
func (s *logsService) datumFor(g *logGroup, f *metricFilter, pe *pattern.Event, fields map[string]string) (core.Datum, bool) {
	v, ok := resolveField(f.t.MetricValue, pe, fields)
	if !ok {
		return core.Datum{}, false
	}
	value, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return core.Datum{}, false
	}
	d := core.Datum{Namespace: f.t.MetricNamespace, MetricName: f.t.MetricName, Value: value, Unit: f.t.Unit}
	if len(f.t.Dimensions) > 0 || len(f.systemDims) > 0 {
		d.Dimensions = map[string]string{}
	}
	for name, sel := range f.t.Dimensions {
		dv, ok := resolveField(sel, pe, fields)
		if !ok || dv == "" {
			return core.Datum{}, false
		}
		d.Dimensions[name] = dv
	}
	for _, sys := range f.systemDims {
		switch sys {
		case "@aws.account":
			d.Dimensions[sys] = s.w.Account
		case "@aws.region":
			d.Dimensions[sys] = g.region
		}
	}
	return d, true
}

// resolveField reads a metricValue or dimension value: "$.sel" from a JSON event, "$name" or
// "$N" from a space-delimited match, anything else is a literal.
func resolveField(expr string, pe *pattern.Event, fields map[string]string) (string, bool) {
	switch {
	case strings.HasPrefix(expr, "$."):
		return pattern.Lookup(pe, expr)
	case strings.HasPrefix(expr, "$"):
		v, ok := fields[expr]
		return v, ok
	}
	return expr, true
}

func floorMinute(ms int64) int64 {
	m := ms - ms%minuteMs
	if ms < 0 && ms%minuteMs != 0 {
		m -= minuteMs
	}
	return m
}

// tick closes every minute that ended at or before to and emits the defaultValues it owes.
func (s *logsService) tick(_, to time.Time) {
	limit := floorMinute(to.UnixMilli())
	groups := make([]*logGroup, 0, len(s.open))
	for g := range s.open {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].region != groups[j].region {
			return groups[i].region < groups[j].region
		}
		return groups[i].name < groups[j].name
	})
	for _, g := range groups {
		var minutes []int64
		for m := range g.minutes {
			if m+minuteMs <= to.UnixMilli() {
				minutes = append(minutes, m)
			}
		}
		sort.Slice(minutes, func(i, j int) bool { return minutes[i] < minutes[j] })
		for _, m := range minutes {
			s.closeMinute(g, m)
		}
		if len(g.minutes) == 0 {
			delete(s.open, g)
		}
	}
	if limit > s.closedBefore {
		s.closedBefore = limit
	}
	s.expire(to)
}

// expire drops the events that a group's retention no longer keeps. AWS deletes them within 72
// hours; doing it at once keeps a long sandbox run's memory bounded by the retention.
func (s *logsService) expire(now time.Time) {
	for _, r := range s.regions {
		for _, g := range r.groups {
			if g.retained == 0 {
				continue
			}
			cut := now.Add(-time.Duration(g.retained) * 24 * time.Hour).UnixMilli()
			for _, st := range g.streams {
				n := 0
				for n < len(st.events) && st.events[n].ts < cut {
					st.bytes -= int64(len(st.events[n].msg))
					n++
				}
				if n > 0 {
					st.events = append(st.events[:0:0], st.events[n:]...)
				}
			}
		}
	}
}

func (s *logsService) closeMinute(g *logGroup, minute int64) {
	seen := g.minutes[minute]
	delete(g.minutes, minute)
	// A group deleted since is no longer in its region: its filters report nothing.
	if s.region(g.region).groups[g.name] != g {
		return
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := g.filters[n]
		if seen[n] || f == nil || f.t.DefaultValue == nil || s.w.Bus.PutDatum == nil {
			continue
		}
		d := core.Datum{Namespace: f.t.MetricNamespace, MetricName: f.t.MetricName, Value: *f.t.DefaultValue,
			Unit: f.t.Unit, Time: time.UnixMilli(minute).UTC(), Region: g.region}
		if len(f.systemDims) > 0 {
			d.Dimensions = map[string]string{}
			for _, sys := range f.systemDims {
				if sys == "@aws.account" {
					d.Dimensions[sys] = s.w.Account
				} else {
					d.Dimensions[sys] = g.region
				}
			}
		}
		s.w.Bus.PutDatum(d)
	}
}
