package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// warnings reports what keeps a Monitor's pipeline from alerting anyone even when every resource is
// in sync, or what kmswatch may not fix: alarm actions disabled, a topic its alarms notify with no
// confirmed subscriber, a foreign trail delivering to the log group without KMS events, and a log
// group that no trail feeds.
func (c *regionController) warnings(ctx context.Context, want State, got Actual, p *pass) ([]Warning, error) {
	var ws []Warning
	notifies := map[string][]string{} // topic ARN → alarms that notify it
	for _, a := range want.Alarms {
		if !a.ActionsEnabled {
			ws = append(ws, Warning{ID: alarmID(a.Name), Message: "alarm actions are disabled: the alarm notifies nobody"})
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
		confirmed := 0
		for _, s := range got.Subscriptions {
			if s.Topic == t.Name && !s.Pending {
				confirmed++
			}
		}
		// The message names no count of pending subscriptions: it is read before this pass's
		// writes (a subscription made now would not be counted), and a warning's text is its
		// identity for the daemon, which logs a warning when it appears and when it clears.
		if confirmed == 0 {
			ws = append(ws, Warning{ID: topicID(t.Name), Message: fmt.Sprintf(
				"no confirmed subscription: alarms %s notify nobody until a subscriber confirms", strings.Join(alarms, ", "))})
		}
	}
	if want.LogGroup == nil {
		return ws, nil
	}
	fed := want.Trail != nil
	for _, t := range p.trails {
		name := aws.ToString(t.Name)
		if trimStar(aws.ToString(t.CloudWatchLogsLogGroupArn)) != want.LogGroup.ARN {
			continue
		}
		fed = true
		if want.Trail != nil && want.Trail.Name == name {
			continue
		}
		if tags, ok := c.owners.get(KindTrail, name); ok && owner(tags) == want.Monitor {
			continue
		}
		sel, err := p.selectors(ctx, c, name)
		if err != nil {
			return ws, err
		}
		me := sel.management()
		if !me.logsKMS() {
			ws = append(ws, Warning{ID: trailID(name), Message: fmt.Sprintf(
				"trail %s, not managed by this monitor, delivers to log group %s but drops KMS events (%s)", name, want.LogGroup.Name, whyNoKMS(me))})
		}
	}
	if !fed {
		ws = append(ws, Warning{ID: logGroupID(want.LogGroup.Name), Message: "no trail delivers to this log group: its metric filters see no events"})
	}
	return ws, nil
}

func whyNoKMS(me ManagementEvents) string {
	switch {
	case !me.Included:
		return "management events excluded"
	case contains(me.ExcludedSources, kmsSource):
		return "kms.amazonaws.com excluded"
	default:
		return "read/write type " + me.ReadWriteType
	}
}
