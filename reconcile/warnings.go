package reconcile

import (
	"fmt"
	"strings"

	"github.com/kmswatch/kmswatch/spec"
)

// pipelineWarnings reports what keeps a Monitor's pipeline from alerting anyone even when every
// resource is in sync, or what kmswatch may not fix: alarm actions disabled, a topic its alarms
// notify with no confirmed subscriber, an alarm that counts kmswatch's own heartbeat, the
// pipeline's problems (delivery errors, an unusable trail key, a stale log group, the switch in
// ALARM), a foreign trail delivering to the log group without KMS events, and a log group that no
// trail feeds. It is pure.
//
// A warning's text is its identity for the daemon, which logs a warning when it appears and when
// it clears; so no message names a count that this pass's own writes would change.
func pipelineWarnings(want State, got Actual) []Warning {
	var ws []Warning
	notifies := map[string][]string{} // topic ARN → alarms that notify it
	for _, a := range want.Alarms {
		if !a.ActionsEnabled {
			ws = append(ws, Warning{ID: alarmRef(a.Name).String(), Message: "alarm actions are disabled: the alarm notifies nobody"})
		}
		for _, arn := range a.AlarmActions {
			notifies[arn] = append(notifies[arn], a.Name)
		}
	}
	for _, t := range want.Topics {
		alarms := notifies[t.ARN]
		if len(alarms) == 0 {
			continue
		}
		g := findByName(got.Topics, t.Name, func(t Topic) string { return t.Name })
		if g == nil || !hasConfirmed(g.Subscriptions) {
			ws = append(ws, Warning{ID: topicRef(t.Name).String(), Message: fmt.Sprintf(
				"no confirmed subscription: alarms %s notify nobody until a subscriber confirms", strings.Join(alarms, ", "))})
		}
	}
	for _, name := range want.Pipeline.CountHeartbeat {
		ws = append(ws, Warning{ID: alarmRef(name).String(), Message: fmt.Sprintf(
			"its pattern counts kmswatch's own heartbeat (a successful kms:ListAliases every %s): it will count every heartbeat; exclude ListAliases or kmswatch's principal",
			spec.FormatDuration(want.Pipeline.Heartbeat.Every))})
	}
	for _, p := range got.Pipeline.Problems {
		ws = append(ws, Warning{ID: p.ID, Message: p.Message()})
	}
	if want.LogGroup == nil {
		return ws
	}
	fed := want.Trail != nil
	for _, t := range got.Feeding {
		fed = true
		if (want.Trail != nil && want.Trail.Name == t.Name) || owner(t.Tags) == want.Monitor {
			continue // the Monitor's own trail is repaired, not warned about
		}
		if !t.Management.LogsKMS() {
			ws = append(ws, Warning{ID: trailRef(t.Name).String(), Message: fmt.Sprintf(
				"trail %s, not managed by this monitor, delivers to log group %s but drops KMS events (%s)", t.Name, want.LogGroup.Name, t.Management.WhyNoKMS())})
		}
	}
	if !fed {
		ws = append(ws, Warning{ID: logGroupRef(want.LogGroup.Name).String(), Message: "no trail delivers to this log group: its metric filters see no events"})
	}
	return ws
}

func hasConfirmed(subs []Subscription) bool {
	for _, s := range subs {
		if !s.Pending {
			return true
		}
	}
	return false
}
