package spec

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/spec/pattern"
)

// withHeartbeat is base with a spec.heartbeat line.
func withHeartbeat(hb string) string { return base + "  heartbeat: " + hb + "\n" }

func TestHeartbeatDefaults(t *testing.T) {
	f, err := LoadBytes([]byte(withHeartbeat("{}")), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := f.Monitors[0]
	want := &Heartbeat{Every: Duration{5 * time.Minute}, AlarmAfter: Duration{30 * time.Minute}, AlarmActions: []string{"alerts"}}
	if d := cmp.Diff(want, m.Spec.Heartbeat); d != "" {
		t.Errorf("defaulted heartbeat (-want +got):\n%s", d)
	}
	if m.Spec.LogGroup.StaleAfter.Duration != 30*time.Minute {
		t.Errorf("staleAfter %v, want 30m", m.Spec.LogGroup.StaleAfter)
	}
	if got := m.Spec.Heartbeat.EvaluationPeriods(); got != 30 {
		t.Errorf("evaluation periods %d, want 30 one-minute periods", got)
	}
	if len(f.Warnings) != 0 {
		t.Errorf("warnings: %v", f.Warnings)
	}
	// Without a heartbeat there is none, and the defaults add none.
	f, err = LoadBytes([]byte(base), "m.yaml")
	if err != nil || f.Monitors[0].Spec.Heartbeat != nil {
		t.Errorf("base: %v %+v", err, f.Monitors[0].Spec.Heartbeat)
	}
}

func TestHeartbeatValidation(t *testing.T) {
	cases := []struct {
		name, doc, path, msg string
	}{
		{"every too short", withHeartbeat("{every: 30s}"), "spec.heartbeat.every", "at least 1m"},
		{"every too long", withHeartbeat("{every: 2h, alarmAfter: 3h}"), "spec.heartbeat.every", "at most 1h"},
		{"alarmAfter not whole minutes", withHeartbeat("{alarmAfter: 30m30s}"), "spec.heartbeat.alarmAfter", "whole number of minutes"},
		{"alarmAfter over a day", withHeartbeat("{alarmAfter: 25h}"), "spec.heartbeat.alarmAfter", "at most 24h"},
		{"alarmAfter not after every", withHeartbeat("{every: 10m, alarmAfter: 10m}"), "spec.heartbeat.alarmAfter", "longer than every (10m)"},
		{"unknown topic", withHeartbeat("{alarmActions: [pager]}"), "spec.heartbeat.alarmActions[0]", "names no topic"},
		{"unknown field", withHeartbeat("{evry: 5m}"), "spec.heartbeat.evry", "did you mean every?"},
		{"alarm takes the switch's name", strings.Replace(withHeartbeat("{}"), "- name: a\n", "- name: base-heartbeat\n", 1), "spec.alarms[0].name", "heartbeat's alarm"},
		{"filter takes the switch's name", strings.Replace(withHeartbeat("{}"), "- name: a\n", "- name: a\n      filterName: base-heartbeat\n", 1), "spec.alarms[0].filterName", "heartbeat's metric filter"},
		{"staleAfter too short", strings.Replace(base, "{name: base-logs}", "{name: base-logs, staleAfter: 30s}", 1), "spec.logGroup.staleAfter", "at least 1m"},
		{"staleAfter over a day", strings.Replace(base, "{name: base-logs}", "{name: base-logs, staleAfter: 48h}", 1), "spec.logGroup.staleAfter", "at most 24h"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBytes([]byte(tc.doc), "m.yaml")
			list, ok := err.(ErrorList)
			if !ok || len(list) != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			if list[0].Path != tc.path || !strings.Contains(list[0].Msg, tc.msg) {
				t.Errorf("got %s: %s, want %s: …%s…", list[0].Path, list[0].Msg, tc.path, tc.msg)
			}
		})
	}
	// Another Monitor's alarm under this Monitor's switch name is a claim conflict.
	other := strings.Replace(strings.Replace(strings.Replace(strings.Replace(base, "name: base}", "name: other}", 1),
		"- name: a\n", "- name: base-heartbeat\n", 1), "base-trail", "other-trail", 1), "base-logs", "other-logs", 1)
	other = strings.Replace(other, "- name: alerts", "- name: other-alerts", 1)
	other = strings.Replace(other, "alarmActions: [alerts]", "alarmActions: [other-alerts]", 1)
	_, err := LoadBytes([]byte(withHeartbeat("{}")+"---\n"+other), "m.yaml")
	if err == nil || !strings.Contains(err.Error(), "alarm already claimed") {
		t.Errorf("two Monitors claiming base-heartbeat: %v", err)
	}
}

func TestHeartbeatWarnings(t *testing.T) {
	counting := func(match string) string {
		return strings.Replace(withHeartbeat("{}"), "match: {eventSource: kms.amazonaws.com, errorsOnly: true}", "match: "+match, 1)
	}
	cases := []struct {
		name, doc, path, why string
	}{
		{"alarmAfter too close to every", withHeartbeat("{every: 5m, alarmAfter: 15m}"), "spec.heartbeat.alarmAfter", "up to 15 minutes"},
		{"no actions", withHeartbeat("{alarmActions: []}"), "spec.heartbeat.alarmActions", "tells no one"},
		{"short staleAfter", strings.Replace(base, "{name: base-logs}", "{name: base-logs, staleAfter: 10m}", 1), "spec.logGroup.staleAfter", "healthy log group"},
		{"an alarm on every KMS call", counting("{eventSource: kms.amazonaws.com}"), "spec.alarms[0]", "whatever principal kmswatch runs as"},
		{"an alarm on the task role's successful calls", counting(`{eventSource: kms.amazonaws.com, successOnly: true, principalArn: "arn:aws:iam::111122223333:role/app"}`),
			"spec.alarms[0]", "if kmswatch runs as arn:aws:iam::111122223333:role/app"},
		{"an alarm on ListAliases by a user", counting(`{eventNames: [ListAliases], principalArn: "arn:aws:iam::111122223333:user/ops"}`),
			"spec.alarms[0]", "if kmswatch runs as arn:aws:iam::111122223333:user/ops"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := LoadBytes([]byte(tc.doc), "m.yaml")
			if err != nil {
				t.Fatalf("a warning must not make the file invalid: %v", err)
			}
			if len(f.Warnings) != 1 {
				t.Fatalf("want one warning, got %v", f.Warnings)
			}
			if w := f.Warnings[0]; w.Path != tc.path || !strings.Contains(w.Msg, tc.why) {
				t.Errorf("got %s: %s\nwant %s: …%s…", w.Path, w.Msg, tc.path, tc.why)
			}
		})
	}
	// The lab's kind of alarm — failed calls of one role — never counts the heartbeat, whoever
	// kmswatch runs as: no warning.
	doc := counting(`{eventSource: kms.amazonaws.com, errorsOnly: true, principalArn: "arn:aws:iam::111122223333:role/app"}`)
	if f, err := LoadBytes([]byte(doc), "m.yaml"); err != nil || len(f.Warnings) != 0 {
		t.Errorf("errors-only alarm: %v %v", err, f.Warnings)
	}
}

// heartbeatEvents are hand-written CloudTrail records, in the shape CloudTrail delivers them
// (testdata/heartbeat-events.json), by index.
const (
	hbTask1      = iota // ListAliases by the ECS task role, one task's session
	hbTask2             // the same, another task's session
	hbDenied            // ListAliases by the task role, AccessDenied
	hbOtherRole         // ListAliases by another role's session
	hbDecrypt           // a failed Decrypt by the task role: what the lab's alarm is for
	hbUser              // ListAliases by an IAM user (with a path)
	hbAppAliases        // the application itself listing aliases as the task role
)

func readHeartbeatEvents(t *testing.T) []Event {
	t.Helper()
	evs, err := ReadEventFiles([]string{"testdata/heartbeat-events.json"})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// matching lists the indexes of events that pattern text matches.
func matching(t *testing.T, text string, evs []Event) []int {
	t.Helper()
	p, err := pattern.Parse(text)
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	var out []int
	for i, ev := range evs {
		if p.MatchEvent(pattern.NewEvent(ev.Message)) {
			out = append(out, i)
		}
	}
	return out
}

// TestHeartbeatPatternOverCloudTrailRecords: the heartbeat's filter counts kmswatch's
// successful ListAliases — every session of its role, or its user by ARN — and nothing else: not
// another principal, not a failed call, not another KMS call. The lab's errors alarm, which
// watches the same task role, never counts a heartbeat.
func TestHeartbeatPatternOverCloudTrailRecords(t *testing.T) {
	evs := readHeartbeatEvents(t)
	session := "arn:aws:sts::111122223333:assumed-role/pattern1-app-Pattern1ECSTaskRole/5d1a2b3c4d5e6f708192a3b4c5d6e7f8"
	// kmswatch as a sidecar of the lab's application: its principal is the task's session. The
	// application's own ListAliases, as the same role, is indistinguishable from a heartbeat.
	if got, want := matching(t, HeartbeatPattern(session), evs), []int{hbTask1, hbTask2, hbAppAliases}; !cmp.Equal(got, want) {
		t.Errorf("heartbeat filter of a task role session matches %v, want %v", got, want)
	}
	if got, want := matching(t, HeartbeatPattern("arn:aws:iam::111122223333:user/ops/kmswatch"), evs), []int{hbUser}; !cmp.Equal(got, want) {
		t.Errorf("heartbeat filter of an IAM user matches %v, want %v", got, want)
	}
	if got := HeartbeatPattern(session); got != `{ ($.eventSource = "kms.amazonaws.com") && ($.eventName = "ListAliases") && ($.errorCode NOT EXISTS) && ($.userIdentity.arn = "arn:aws:sts::111122223333:assumed-role/pattern1-app-Pattern1ECSTaskRole/*") }` {
		t.Errorf("pattern %s", got)
	}
	lab, err := Load("../examples/monitor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	errorsAlarm := lab.Monitors[0].Spec.Alarms[0]
	if got, want := matching(t, errorsAlarm.Pattern(), evs), []int{hbDenied, hbDecrypt}; !cmp.Equal(got, want) {
		t.Errorf("the lab's errors alarm matches %v, want only the failed calls %v", got, want)
	}
	if n := HeartbeatCounters(&lab.Monitors[0], session); len(n) != 0 {
		t.Errorf("alarms of the lab that count a heartbeat: %v", n)
	}
}

// TestHeartbeatEventMatchesItsPattern: the synthetic record HeartbeatEvent writes — what
// validation and the engine try alarms on — is one the heartbeat's own filter counts, for every
// kind of principal STS may answer, and it reads like a CloudTrail record.
func TestHeartbeatEventMatchesItsPattern(t *testing.T) {
	for _, who := range []string{
		"arn:aws:sts::111122223333:assumed-role/kmswatch-task/3e2d1c",
		"arn:aws:iam::111122223333:user/ops/kmswatch",
		"arn:aws:iam::111122223333:root",
		"arn:aws-cn:sts::111122223333:assumed-role/kmswatch/s",
	} {
		p, err := pattern.Parse(HeartbeatPattern(who))
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		ev := HeartbeatEvent(who, "ap-southeast-2", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		if !p.MatchEvent(pattern.NewEvent(ev)) {
			t.Errorf("%s: the heartbeat filter does not count its own heartbeat %s", who, ev)
		}
		evs, err := ReadEvents(strings.NewReader(ev), "synthetic")
		if err != nil || len(evs) != 1 || evs[0].Name != "ListAliases" {
			t.Errorf("%s: synthetic record %v %v", who, evs, err)
		}
	}
	// A role ARN stands for a session of the role, as issued to an ECS task.
	ev := pattern.NewEvent(HeartbeatEvent("arn:aws:iam::111122223333:role/app", "us-east-1", time.Unix(0, 0)))
	if v, ok := pattern.Lookup(ev, "$.userIdentity.sessionContext.sessionIssuer.arn"); !ok || v != "arn:aws:iam::111122223333:role/app" {
		t.Errorf("session issuer %q", v)
	}
	if v, _ := pattern.Lookup(ev, "$.userIdentity.arn"); v != "arn:aws:sts::111122223333:assumed-role/app/kmswatch" {
		t.Errorf("session arn %q", v)
	}
}
