package pipeline

import (
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/spec"
)

// Line is the report as one line of `kmswatch --once` output:
//
//	Pipeline/lab live (last event 3m ago, heartbeat OK)
//	Pipeline/lab broken (last event 41m ago, heartbeat ALARM): Trail/t LatestCloudWatchLogsDeliveryError "…": check that role …
//
// with " in REGION" after the id when the report has a Region.
func (r Report) Line(now time.Time) string {
	var b strings.Builder
	b.WriteString("Pipeline/" + r.Monitor)
	if r.Region != "" {
		b.WriteString(" in " + r.Region)
	}
	b.WriteString(" " + string(r.Status))
	var facts []string
	switch {
	case r.LastEvent != nil:
		facts = append(facts, "last event "+Age(now.Sub(*r.LastEvent)))
	case r.Status != StatusLive:
		facts = append(facts, "no event seen yet")
	}
	if h := r.Heartbeat; h != nil {
		facts = append(facts, "heartbeat "+h.State)
		if h.SendError != "" {
			facts = append(facts, "heartbeat call failed: "+h.SendError)
		}
	}
	if len(facts) > 0 {
		b.WriteString(" (" + strings.Join(facts, ", ") + ")")
	}
	var probs []string
	for _, p := range r.Problems {
		probs = append(probs, p.ID+" "+p.Message())
	}
	if len(probs) > 0 {
		b.WriteString(": " + strings.Join(probs, "; "))
	}
	return b.String()
}

// Age prints how long ago something happened, to the minute: "3m ago", "2h5m ago", "less than a
// minute ago".
func Age(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute ago"
	}
	return formatDuration(d.Truncate(time.Minute)) + " ago"
}

// formatDuration prints a duration without zero trailing units: 30m, 1h, 2h5m.
func formatDuration(d time.Duration) string { return spec.FormatDuration(d) }
