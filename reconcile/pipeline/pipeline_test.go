package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func iso(min int) *string { return aws.String(at(min).Format(time.RFC3339)) }

// TestCurrentErrors: an error is current unless GetTrailStatus's attempt times say a later
// attempt succeeded; without attempt times it is current while reported.
func TestCurrentErrors(t *testing.T) {
	cases := []struct {
		name string
		st   cloudtrail.GetTrailStatusOutput
		want []string // fields
	}{
		{"healthy", cloudtrail.GetTrailStatusOutput{LatestDeliveryAttemptTime: iso(5), LatestDeliveryAttemptSucceeded: iso(5)}, nil},
		{"S3 error, latest attempt failed", cloudtrail.GetTrailStatusOutput{LatestDeliveryError: aws.String("NoSuchBucket"),
			LatestDeliveryAttemptTime: iso(10), LatestDeliveryAttemptSucceeded: iso(5)}, []string{"LatestDeliveryError"}},
		{"S3 error, a later attempt succeeded", cloudtrail.GetTrailStatusOutput{LatestDeliveryError: aws.String("NoSuchBucket"),
			LatestDeliveryAttemptTime: iso(10), LatestDeliveryAttemptSucceeded: iso(10)}, nil},
		{"S3 error, no attempt times", cloudtrail.GetTrailStatusOutput{LatestDeliveryError: aws.String("AccessDenied"), LatestDeliveryTime: aws.Time(at(20))}, []string{"LatestDeliveryError"}},
		{"S3 error, never succeeded", cloudtrail.GetTrailStatusOutput{LatestDeliveryError: aws.String("AccessDenied"), LatestDeliveryAttemptTime: iso(3)}, []string{"LatestDeliveryError"}},
		{"CloudWatch Logs error", cloudtrail.GetTrailStatusOutput{LatestCloudWatchLogsDeliveryError: aws.String("AccessDeniedException: no"),
			LatestCloudWatchLogsDeliveryTime: aws.Time(at(1))}, []string{"LatestCloudWatchLogsDeliveryError"}},
		{"digest error", cloudtrail.GetTrailStatusOutput{LatestDigestDeliveryError: aws.String("KMS.DisabledException")}, []string{"LatestDigestDeliveryError"}},
		{"notification error, current", cloudtrail.GetTrailStatusOutput{LatestNotificationError: aws.String("AuthorizationError"),
			LatestNotificationAttemptTime: iso(9), LatestNotificationAttemptSucceeded: iso(2)}, []string{"LatestNotificationError"}},
		{"notification error, superseded", cloudtrail.GetTrailStatusOutput{LatestNotificationError: aws.String("AuthorizationError"),
			LatestNotificationAttemptTime: iso(9), LatestNotificationAttemptSucceeded: iso(9)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range StatusFromAWS("t", &tc.st).CurrentErrors() {
				got = append(got, e.Field)
				if e.Fix == "" || e.Text == "" {
					t.Errorf("%s: text %q fix %q", e.Field, e.Text, e.Fix)
				}
			}
			if !cmp.Equal(got, tc.want) {
				t.Errorf("current errors %v, want %v", got, tc.want)
			}
		})
	}
}

func TestKeyProblem(t *testing.T) {
	for state, want := range map[string]string{"": "", "Enabled": "", "Disabled": "is Disabled", "PendingDeletion": "is PendingDeletion",
		"missing": "does not exist", "Unavailable": "is Unavailable"} {
		text, fix := TrailStatus{KMSKey: "arn:aws:kms:r:1:key/k", KeyInfo: KeyInfo{State: state}}.KeyProblem()
		if !strings.Contains(text, want) || (want == "") != (text == "") || (text != "") != (fix != "") {
			t.Errorf("%q: %q / %q", state, text, fix)
		}
	}
	if text, _ := (TrailStatus{KeyInfo: KeyInfo{State: "Disabled"}}).KeyProblem(); text != "" {
		t.Errorf("a trail without a key has a key problem: %s", text)
	}
}

const group = "arn:aws:logs:r:1:log-group:lg"

func trail(mod func(*TrailStatus)) TrailStatus {
	ts := TrailStatus{Name: "t", Logging: true, StartedAt: at(-600), Group: group, Role: "arn:aws:iam::1:role/r", Bucket: "b"}
	if mod != nil {
		mod(&ts)
	}
	return ts
}

func TestEvaluate(t *testing.T) {
	now := at(60)
	hb := func(mod func(*HeartbeatInput)) *HeartbeatInput {
		h := &HeartbeatInput{Alarm: "m-heartbeat", AlarmAfter: 30 * time.Minute, AlarmExists: true, AlarmState: "OK"}
		if mod != nil {
			mod(h)
		}
		return h
	}
	cases := []struct {
		name   string
		in     Input
		status Status
		line   string
	}{
		{"live: the trail delivered 3 minutes ago, the switch is OK",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(func(s *TrailStatus) { s.CloudWatchLogsTime = at(57) })}, Heartbeat: hb(nil)},
			StatusLive, "Pipeline/m live (last event 3m ago, heartbeat OK)"},
		{"live by IncomingLogEvents",
			Input{Monitor: "m", Region: "us-east-1", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(nil)}, LastEvent: at(58), EventsRead: true},
			StatusLive, "Pipeline/m in us-east-1 live (last event 2m ago)"},
		{"stale: a logging trail feeds it, nothing for 45m",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(func(s *TrailStatus) { s.CloudWatchLogsTime = at(15) })}, EventsRead: true},
			StatusStale, "Pipeline/m stale (last event 45m ago): LogGroup/lg no event reached the log group in the last 30m (staleAfter), although trail t is logging to it: check"},
		{"a trail that just started is not stale",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(func(s *TrailStatus) { s.StartedAt = at(50) })}, Heartbeat: hb(func(h *HeartbeatInput) { h.AlarmExists = false })},
			StatusUnknown, "Pipeline/m unknown (no event seen yet, heartbeat not armed)"},
		{"a stopped trail feeds nothing: not stale",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(func(s *TrailStatus) { s.Logging = false })}},
			StatusUnknown, "Pipeline/m unknown (no event seen yet)"},
		{"broken: CloudWatch Logs delivery error, verbatim",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Heartbeat: hb(nil), Trails: []TrailStatus{trail(func(s *TrailStatus) {
				s.CloudWatchLogsTime, s.CloudWatchLogsError = at(58), "AccessDeniedException: User: x is not authorized"
			})}},
			StatusBroken, `Pipeline/m broken (last event 2m ago, heartbeat OK): Trail/t LatestCloudWatchLogsDeliveryError "AccessDeniedException: User: x is not authorized": check that role arn:aws:iam::1:role/r exists`},
		{"broken: the switch is in ALARM",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(func(s *TrailStatus) { s.CloudWatchLogsTime = at(59) })},
				Heartbeat: hb(func(h *HeartbeatInput) { h.AlarmState = "ALARM" })},
			StatusBroken, "Pipeline/m broken (last event 1m ago, heartbeat ALARM): Alarm/m-heartbeat the dead man's switch is in ALARM: no heartbeat reached log group lg in 30m"},
		{"broken: the trail's key is disabled",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(func(s *TrailStatus) {
				s.CloudWatchLogsTime, s.KMSKey, s.KeyInfo = at(59), "arn:aws:kms:r:1:key/k", KeyInfo{State: "Disabled"}
			})}},
			StatusBroken, "Pipeline/m broken (last event 1m ago): Trail/t KMS key arn:aws:kms:r:1:key/k is Disabled: enable it"},
		{"metrics unreadable: a warning",
			Input{Monitor: "m", LogGroup: group, StaleAfter: 30 * time.Minute, Trails: []TrailStatus{trail(nil)}, MetricsErr: "AccessDenied"},
			StatusUnknown, "Pipeline/m unknown (no event seen yet): LogGroup/lg cannot read AWS/Logs IncomingLogEvents: AccessDenied: allow kmswatch cloudwatch:GetMetricData"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Evaluate(tc.in, now)
			if r.Status != tc.status || r.Broken() != (tc.status == StatusBroken) {
				t.Errorf("status %s, want %s: %+v", r.Status, tc.status, r.Problems)
			}
			if line := r.Line(now); !strings.HasPrefix(line, tc.line) {
				t.Errorf("line\n  %s\nwant prefix\n  %s", line, tc.line)
			}
		})
	}
}

// TestArmed: the switch's alarm is created once a heartbeat arrived within alarmAfter, or once
// its filter waited alarmAfter in vain; not before.
func TestArmed(t *testing.T) {
	now := at(100)
	cases := []struct {
		name string
		h    HeartbeatInput
		want bool
	}{
		{"fresh deploy, nothing yet", HeartbeatInput{FilterCreated: at(95)}, false},
		{"filter age unknown, nothing yet", HeartbeatInput{}, false},
		{"the first heartbeat arrived", HeartbeatInput{FilterCreated: at(95), LastArrived: at(99)}, true},
		{"the last heartbeat is older than alarmAfter, filter young", HeartbeatInput{FilterCreated: at(90), LastArrived: at(60)}, false},
		{"the filter waited alarmAfter in vain", HeartbeatInput{FilterCreated: at(70)}, true},
		{"the alarm exists", HeartbeatInput{AlarmExists: true}, true},
	}
	for _, tc := range cases {
		tc.h.AlarmAfter = 30 * time.Minute
		if got := tc.h.Armed(now); got != tc.want {
			t.Errorf("%s: armed %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Second: "less than a minute ago", 3*time.Minute + 50*time.Second: "3m ago",
		2*time.Hour + 5*time.Minute: "2h5m ago", time.Hour: "1h ago"} {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}
