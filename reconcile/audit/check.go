package audit

import (
	"fmt"
	"strings"

	"github.com/kmswatch/kmswatch/spec/presets"
)

// Stages of the chain a control needs, in order: a failure further along says more.
const (
	stageTrail = iota
	stageFilter
	stageAlarm
	stageTopic
	stageSubscription
	stagePass
)

// verdict is one control in one region.
type verdict struct {
	stage  int
	reason string
	err    bool // the chain stopped at a read error, not at a fact
	row    Row  // the evidence gathered along the chain
}

// better keeps the verdict that got further along the chain (the first of equals).
func better(a, b verdict) verdict {
	if b.stage > a.stage {
		return b
	}
	return a
}

// check decides one control against a region's snapshot: a trail homed here, multi-region,
// logging, with every management event, delivering to a log group; a metric filter there with
// one of the control's published patterns; an alarm on that filter's metric; an SNS topic among
// the alarm's actions with at least one confirmed subscription. It is pure.
func check(s *snapshot, c presets.Control) verdict {
	best := verdict{stage: stageTrail, reason: noTrailReason(s)}
	for _, t := range s.trails {
		if gap := trailGap(t); gap != "" {
			if best.reason == noTrailReason(s) {
				best.reason = gap
			}
			continue
		}
		row := Row{Region: s.region, Trail: t.name, LogGroup: t.logGroup}
		best = better(best, verdict{stage: stageFilter, row: row,
			reason: fmt.Sprintf("log group %s (trail %s) has no metric filter with the published %s pattern", t.logGroup, t.name, c.ID)})
		for _, f := range s.filters[t.logGroup] {
			if !matchesControl(f.pattern, c) {
				continue
			}
			v := checkFilter(s, row, f)
			if v.stage == stagePass {
				return v
			}
			best = better(best, v)
		}
	}
	return best
}

func noTrailReason(s *snapshot) string {
	if len(s.elsewhere) > 0 {
		return "no trail homed here; Security Hub evaluates " + strings.Join(s.elsewhere, ", ") + " in its home region or account"
	}
	return "no CloudTrail trail"
}

// trailGap says why a trail cannot feed the controls; "" when it can.
func trailGap(t trailView) string {
	var gaps []string
	if !t.multiRegion {
		gaps = append(gaps, "is single-region")
	}
	if !t.logging {
		gaps = append(gaps, "is not logging")
	}
	if t.logGroup == "" {
		gaps = append(gaps, "delivers to no CloudWatch Logs log group")
	}
	if t.events != "" {
		gaps = append(gaps, "does not log every management event: "+t.events)
	}
	if len(gaps) == 0 {
		return ""
	}
	return "trail " + t.name + " " + strings.Join(gaps, ", ")
}

// checkFilter follows a matching metric filter to its alarms and their topics.
func checkFilter(s *snapshot, row Row, f filterView) verdict {
	row.MetricFilter = f.name
	best := verdict{stage: stageAlarm, row: row,
		reason: fmt.Sprintf("metric filter %s publishes %s/%s, which no alarm watches", f.name, f.namespace, f.metric)}
	for _, a := range s.alarms {
		if a.namespace != f.namespace || a.metric != f.metric {
			continue
		}
		arow := row
		arow.Alarm = a.name
		best = better(best, verdict{stage: stageTopic, row: arow,
			reason: fmt.Sprintf("alarm %s (on %s/%s) notifies no SNS topic", a.name, f.namespace, f.metric)})
		for _, action := range a.actions {
			if !isTopicARN(action) {
				continue
			}
			trow := arow
			trow.Topic = action
			t := s.topics[action]
			v := verdict{stage: stageSubscription, row: trow}
			switch {
			case t.listErr != nil:
				v.reason, v.err = t.listErr.Error(), true
			case !t.exists:
				v.reason = fmt.Sprintf("alarm %s notifies topic %s, which does not exist", a.name, action)
			case t.confirmed == 0 && t.pending > 0:
				v.reason = fmt.Sprintf("topic %s has no confirmed subscription (%d PendingConfirmation)", action, t.pending)
			case t.confirmed == 0:
				v.reason = fmt.Sprintf("topic %s has no subscription", action)
			default:
				v.stage = stagePass
				v.reason = fmt.Sprintf("trail %s → log group %s → metric filter %s → alarm %s → topic %s (%d confirmed, e.g. %s)",
					row.Trail, row.LogGroup, f.name, a.name, action, t.confirmed, t.firstConfirmed)
				return v
			}
			best = better(best, v)
		}
	}
	return best
}
