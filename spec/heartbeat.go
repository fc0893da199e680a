package spec

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/spec/pattern"
)

// The heartbeat: what kmswatch calls, and the shape of the metric and alarm that count it. The
// reconcile engine builds the heartbeat's metric filter and alarm from these, so that validation,
// the engine and the docs agree.
const (
	// HeartbeatEventSource and HeartbeatEventName are the call: kms:ListAliases with Limit 1, a
	// read that needs no key, changes nothing and is recorded by CloudTrail as a KMS management
	// event, so that it travels the same road as the events the alarms watch.
	HeartbeatEventSource = "kms.amazonaws.com"
	HeartbeatEventName   = "ListAliases"
	// HeartbeatNamespace is the metric namespace; the metric is named after the Monitor.
	HeartbeatNamespace = "KMSWatch/Heartbeat"
	// HeartbeatPeriod is the switch's alarm period: metric filters publish per minute, and the
	// shortest period makes the switch fire soonest after AlarmAfter.
	HeartbeatPeriod = time.Minute
	// heartbeatSuffix ends the names of the heartbeat's filter and alarm.
	heartbeatSuffix = "-heartbeat"
	// maxHeartbeatAlarmAfter is the most CloudWatch allows a one-minute period alarm to look
	// back: period × evaluationPeriods at most one day when the period is under an hour.
	maxHeartbeatAlarmAfter = 24 * time.Hour
	// cloudTrailMaxDelay is how late CloudTrail may deliver an event: "within an average of about
	// 5 minutes", and up to 15 minutes is common.
	cloudTrailMaxDelay = 15 * time.Minute
)

// HeartbeatName is the name of the heartbeat's metric filter and alarm: <metadata.name>-heartbeat.
func (m *Monitor) HeartbeatName() string { return HeartbeatNameOf(m.Metadata.Name) }

// HeartbeatNameOf is HeartbeatName for a Monitor named monitor.
func HeartbeatNameOf(monitor string) string { return monitor + heartbeatSuffix }

// EvaluationPeriods is the switch alarm's evaluationPeriods (and datapointsToAlarm): AlarmAfter
// in HeartbeatPeriods, so that it goes to ALARM only when every one of them lacks a heartbeat.
func (h *Heartbeat) EvaluationPeriods() int { return int(h.AlarmAfter.Duration / HeartbeatPeriod) }

// HeartbeatPattern is the filter pattern that counts exactly kmswatch's heartbeats: the call,
// succeeded (no errorCode), made by principal, the ARN STS GetCallerIdentity answers. An assumed
// role's session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) names one session, and an
// ECS task's session changes with every task, so a role matches all of its sessions: a wildcard
// on the session part of userIdentity.arn (role names are unique in an account and cannot hold
// '/'). Any other principal (an IAM user, the root) matches by its ARN as CloudTrail writes it.
func HeartbeatPattern(principal string) string {
	who := principal
	if role, _, ok := assumedRole(principal); ok {
		who = role + "/*"
	}
	text := "{ " + strings.Join([]string{
		eq("$.eventSource", HeartbeatEventSource),
		eq("$.eventName", HeartbeatEventName),
		"($.errorCode NOT EXISTS)",
		eq("$.userIdentity.arn", who),
	}, " && ") + " }"
	p, err := pattern.Parse(text)
	if err != nil {
		return text // the caller's own parse reports it; a principal ARN never gets here
	}
	return p.String()
}

// assumedRole splits an assumed-role session ARN into "arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE"
// and the session name.
func assumedRole(arn string) (role, session string, ok bool) {
	i := strings.Index(arn, ":assumed-role/")
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return "", "", false
	}
	rest := arn[i+len(":assumed-role/"):]
	name, session, found := strings.Cut(rest, "/")
	if !found || name == "" || session == "" {
		return "", "", false
	}
	return arn[:i] + ":assumed-role/" + name, session, true
}

// HeartbeatEvent is the CloudTrail record of one heartbeat made as principal (an ARN as STS
// GetCallerIdentity answers it; a role ARN stands for a session of that role), as CloudTrail
// delivers it to CloudWatch Logs: compact JSON, the fields a metric filter can select. Validation
// and the reconcile engine run alarms' patterns on it to tell whether they would count the
// heartbeat.
func HeartbeatEvent(principal, region string, at time.Time) string {
	rec := map[string]any{
		"eventVersion":       "1.11",
		"userIdentity":       heartbeatIdentity(principal),
		"eventTime":          at.UTC().Format(time.RFC3339),
		"eventSource":        HeartbeatEventSource,
		"eventName":          HeartbeatEventName,
		"awsRegion":          region,
		"sourceIPAddress":    "192.0.2.10",
		"userAgent":          "kmswatch",
		"requestParameters":  map[string]any{"limit": 1},
		"responseElements":   nil,
		"requestID":          "00000000-0000-4000-8000-000000000000",
		"eventID":            "00000000-0000-4000-8000-000000000001",
		"readOnly":           true,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": accountOf(principal),
		"eventCategory":      "Management",
	}
	b, _ := json.Marshal(rec) // maps of strings, numbers and booleans always marshal
	return string(b)
}

// heartbeatIdentity is CloudTrail's userIdentity for principal.
func heartbeatIdentity(principal string) map[string]any {
	acct := accountOf(principal)
	id := map[string]any{"principalId": "AIDAKMSWATCHHEARTBEAT", "arn": principal, "accountId": acct, "accessKeyId": "ASIAKMSWATCHHEARTBEAT"}
	issuer := ""
	switch role, _, isSession := assumedRole(principal); {
	case isSession:
		issuer = strings.Replace(role, ":sts::", ":iam::", 1)
		issuer = strings.Replace(issuer, ":assumed-role/", ":role/", 1)
	case strings.Contains(principal, ":role/"):
		// A role stands for a session of it: what the role's holder (an ECS task) calls as.
		issuer = principal
		name := principal[strings.LastIndexByte(principal, '/')+1:]
		id["arn"] = strings.Replace(principal[:strings.Index(principal, ":role/")], ":iam::", ":sts::", 1) + ":assumed-role/" + name + "/kmswatch"
	case strings.HasSuffix(principal, ":root"):
		id["type"] = "Root"
		return id
	case strings.Contains(principal, ":federated-user/"):
		id["type"] = "FederatedUser"
		return id
	default:
		id["type"] = "IAMUser"
		id["userName"] = principal[strings.LastIndexByte(principal, '/')+1:]
		return id
	}
	id["type"] = "AssumedRole"
	id["sessionContext"] = map[string]any{
		"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAKMSWATCHHEARTBEAT", "arn": issuer,
			"accountId": acct, "userName": issuer[strings.LastIndexByte(issuer, '/')+1:]},
		"attributes": map[string]any{"mfaAuthenticated": "false"},
	}
	return id
}

// accountOf is the account field of an ARN ("" when there is none).
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// HeartbeatCounters names the alarms of m (spec.alarms) whose filter patterns match the heartbeat
// event made as principal: alarms that would count kmswatch's own heartbeat, every `every`.
func HeartbeatCounters(m *Monitor, principal string) []string {
	ev := pattern.NewEvent(HeartbeatEvent(principal, m.Spec.Region, time.Unix(0, 0)))
	var out []string
	for i := range m.Spec.Alarms {
		a := &m.Spec.Alarms[i]
		if p, err := pattern.Parse(a.Pattern()); err == nil && p.MatchEvent(ev) {
			out = append(out, a.Name)
		}
	}
	return out
}

// validateHeartbeat checks spec.heartbeat and warns when one of the Monitor's own alarms would
// count the heartbeat.
func validateHeartbeat(p *problems, m *Monitor, topics map[string]bool) {
	h := m.Spec.Heartbeat
	if h == nil {
		return
	}
	const path = "spec.heartbeat"
	every, after := h.Every.Duration, h.AlarmAfter.Duration
	switch {
	case every < time.Minute:
		p.errorf(path+".every", FormatDuration(every), "must be at least 1m: each heartbeat is a KMS call and a CloudTrail event")
	case every > time.Hour:
		p.errorf(path+".every", FormatDuration(every), "must be at most 1h")
	}
	switch {
	case after%HeartbeatPeriod != 0:
		p.errorf(path+".alarmAfter", FormatDuration(after), "must be a whole number of minutes: the switch's alarm counts one-minute periods")
	case after > maxHeartbeatAlarmAfter:
		p.errorf(path+".alarmAfter", FormatDuration(after), "must be at most 24h (CloudWatch: period × evaluationPeriods at most one day for a one-minute period)")
	case after <= every:
		p.errorf(path+".alarmAfter", FormatDuration(after), "must be longer than every (%s): the switch would fire between two heartbeats", FormatDuration(every))
	case after < every+cloudTrailMaxDelay:
		p.warnf(path+".alarmAfter", FormatDuration(after), "CloudTrail can take up to 15 minutes to deliver an event: an alarmAfter shorter than every + 15m (%s) may fire on a slow delivery", FormatDuration(every+cloudTrailMaxDelay))
	}
	validateActions(p, path+".alarmActions", h.AlarmActions, topics)
	if len(h.AlarmActions) == 0 {
		p.warnf(path+".alarmActions", "", "the dead man's switch has no alarm actions (and no alarm of this Monitor notifies a topic to default to): it tells no one")
	}
	name := m.HeartbeatName()
	for i, a := range m.Spec.Alarms {
		if a.Name == name {
			p.errorf(fmt.Sprintf("spec.alarms[%d].name", i), a.Name, "is the name of the heartbeat's alarm (spec.heartbeat): rename this alarm")
		}
		if a.FilterName == name && a.Name != name { // the filter name defaults to the alarm's: reported once
			p.errorf(fmt.Sprintf("spec.alarms[%d].filterName", i), a.FilterName, "is the name of the heartbeat's metric filter (spec.heartbeat): rename this filter")
		}
	}
	warnHeartbeatCounters(p, m)
}

// warnHeartbeatCounters runs every alarm's pattern on a synthetic heartbeat event. kmswatch's
// principal is known only at run time (the reconcile engine checks it again then), so the
// heartbeat is tried as made by someone unrelated — a pattern matching that counts every
// heartbeat — and by each principal the Monitor's alarms name, since a sidecar shares its task's
// role.
func warnHeartbeatCounters(p *problems, m *Monitor) {
	acct := "123456789012"
	var named []string
	for _, a := range m.Spec.Alarms {
		if a.Match != nil && a.Match.PrincipalArn != "" {
			named = append(named, a.Match.PrincipalArn)
			acct = accountOf(a.Match.PrincipalArn)
		}
	}
	index := map[string]int{}
	for i, a := range m.Spec.Alarms {
		index[a.Name] = i
	}
	warned := map[string]bool{}
	for _, who := range append([]string{"arn:aws:iam::" + acct + ":role/kmswatch"}, named...) {
		for _, name := range HeartbeatCounters(m, who) {
			if warned[name] {
				continue
			}
			warned[name] = true
			when := "whatever principal kmswatch runs as"
			if !strings.HasSuffix(who, ":role/kmswatch") {
				when = "if kmswatch runs as " + who + " (a sidecar shares its task's role)"
			}
			p.warnf(fmt.Sprintf("spec.alarms[%d]", index[name]), name, "its pattern counts kmswatch's own heartbeat (a successful kms:ListAliases every %s) %s: exclude it, e.g. with ($.eventName != \"ListAliases\") or a principal clause", FormatDuration(m.Spec.Heartbeat.Every.Duration), when)
		}
	}
}
