package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// base is a valid Monitor; each case edits it with one replacement.
const base = `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: base}
spec:
  trail: {name: base-trail, s3BucketName: base-bucket, cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/ToLogs"}
  logGroup: {name: base-logs}
  topics:
    - name: alerts
      subscriptions: [{protocol: https, endpoint: "https://example.com/hook"}]
  alarms:
    - name: a
      match: {eventSource: kms.amazonaws.com, errorsOnly: true}
      metric: {namespace: NS, name: M}
      period: 60s
      threshold: 1
      comparison: GreaterThanThreshold
      alarmActions: [alerts]
`

func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base has no %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

func TestValidationRules(t *testing.T) {
	many := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(f(i))
		}
		return b.String()
	}
	alarm := func(name string) string {
		return fmt.Sprintf("    - {name: %s, match: {errorsOnly: true}, metric: {namespace: NS, name: M}, period: 1m, threshold: 1, comparison: GreaterThanThreshold, alarmActions: [alerts]}\n", name)
	}
	cases := []struct {
		name, old, new string
		path, msg      string // "" path and msg: valid
	}{
		{"10s period", "period: 60s", "period: 10s", "", ""},
		{"20s period", "period: 60s", "period: 20s", "", ""},
		{"1h period", "period: 60s", "period: 1h", "", ""},
		{"90s period", "period: 60s", "period: 90s", "spec.alarms[0].period", "got 1m30s"},
		{"fractional period", "period: 60s", "period: 1500ms", "spec.alarms[0].period", "got 1.5s"},
		{"negative period", "period: 60s", "period: -60s", "spec.alarms[0].period", "must not be negative"},
		{"missing period", "      period: 60s\n", "", "spec.alarms[0].period", "is required"},
		{"a week of hours", "period: 60s", "period: 1h\n      evaluationPeriods: 168", "", ""},
		{"more than a week", "period: 60s", "period: 1h\n      evaluationPeriods: 169", "spec.alarms[0].evaluationPeriods", "at most 7 days"},
		{"a day of minutes", "period: 60s", "period: 1m\n      evaluationPeriods: 1440", "", ""},
		{"huge evaluationPeriods", "period: 60s", "period: 1m\n      evaluationPeriods: 99999999999", "spec.alarms[0].evaluationPeriods", "at most 7 days"},
		{"M of N", "period: 60s", "period: 60s\n      evaluationPeriods: 5\n      datapointsToAlarm: 3", "", ""},
		{"negative threshold is fine", "threshold: 1", "threshold: -1.5", "", ""},
		{"zero threshold is fine", "threshold: 1", "threshold: 0", "", ""},
		{"negative retention", "{name: base-logs}", "{name: base-logs, retentionInDays: -1}", "spec.logGroup.retentionInDays", "must not be negative"},
		{"log group with slashes", "{name: base-logs}", "{name: /aws-cloudtrail/logs#1}", "", ""},
		{"log group too long", "{name: base-logs}", "{name: " + strings.Repeat("g", 513) + "}", "spec.logGroup.name", "at most 512"},
		{"missing log group", "  logGroup: {name: base-logs}\n", "", "spec.logGroup.name", "is required"},
		{"trail name too short", "name: base-trail", "name: ab", "spec.trail.name", "3 to 128"},
		{"trail name ends with dash", "name: base-trail", "name: trail-", "spec.trail.name", "start and end with a letter or digit"},
		{"trail without bucket", `s3BucketName: base-bucket, `, "", "spec.trail.s3BucketName", "is required"},
		{"bucket with ..", "s3BucketName: base-bucket", "s3BucketName: base..bucket", "spec.trail.s3BucketName", "S3 bucket name"},
		{"role with path", "role/ToLogs", "role/service-role/ToLogs", "", ""},
		{"role in China", "arn:aws:iam::111122223333:role/ToLogs", "arn:aws-cn:iam::111122223333:role/ToLogs", "", ""},
		{"kms key id", "s3BucketName: base-bucket,", "s3BucketName: base-bucket, kmsKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab,", "", ""},
		{"kms key alias", "s3BucketName: base-bucket,", "s3BucketName: base-bucket, kmsKeyId: alias/trail,", "spec.trail.kmsKeyId", "must not be an alias"},
		{"kms alias arn", "s3BucketName: base-bucket,", `s3BucketName: base-bucket, kmsKeyId: "arn:aws:kms:us-east-1:111122223333:alias/trail",`, "spec.trail.kmsKeyId", "use the key's id or key ARN"},
		{"kms key/id", "s3BucketName: base-bucket,", "s3BucketName: base-bucket, kmsKeyId: key/1234abcd-12ab-34cd-56ef-1234567890ab,", "", ""},
		{"kms key arn", "s3BucketName: base-bucket,", `s3BucketName: base-bucket, kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",`, "", ""},
		{"region us-gov", "spec:\n", "spec:\n  region: us-gov-west-1\n", "", ""},
		{"monitor name too long", "name: base}", "name: " + strings.Repeat("a", 64) + "}", "metadata.name", "at most 63"},
		{"missing monitor name", "metadata: {name: base}", "metadata: {}", "metadata.name", "is required"},
		{"email-json", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: email-json, endpoint: a.b@example.org}`, "", ""},
		{"email with name", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: email, endpoint: "Sec Ops <secops@example.com>"}`, "spec.topics[0].subscriptions[0].endpoint", "email address"},
		{"http", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: http, endpoint: "http://10.0.0.1:8080/hook"}`, "", ""},
		{"https without host", `endpoint: "https://example.com/hook"`, `endpoint: "https:///hook"`, "spec.topics[0].subscriptions[0].endpoint", "absolute https:// URL"},
		{"lambda", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: lambda, endpoint: "arn:aws:lambda:us-east-1:111122223333:function:notify:live"}`, "", ""},
		{"lambda by name", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: lambda, endpoint: notify}`, "spec.topics[0].subscriptions[0].endpoint", "Lambda function ARN"},
		{"firehose", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: firehose, endpoint: "arn:aws:firehose:us-east-1:111122223333:deliverystream/s"}`, "spec.topics[0].subscriptions[0].endpoint", "SubscriptionRoleArn"},
		{"application", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: application, endpoint: "arn:aws:sns:us-east-1:111122223333:endpoint/GCM/app/1234abcd-12ab-34cd-56ef-1234567890ab"}`, "", ""},
		{"missing endpoint", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: https}`, "spec.topics[0].subscriptions[0].endpoint", "is required"},
		{"duplicate subscription", `[{protocol: https, endpoint: "https://example.com/hook"}]`, `[{protocol: https, endpoint: "https://example.com/hook"}, {protocol: https, endpoint: "https://example.com/hook"}]`, "spec.topics[0].subscriptions[1]", "duplicate subscription"},
		{"display name too long", "- name: alerts\n", "- name: alerts\n      displayName: " + strings.Repeat("d", 101) + "\n", "spec.topics[0].displayName", "at most 100"},
		{"duplicate action", "alarmActions: [alerts]", "alarmActions: [alerts, alerts]", "spec.alarms[0].alarmActions[1]", "duplicate action"},
		{"dangling ok action", "alarmActions: [alerts]", "alarmActions: [alerts]\n      okActions: [nope]", "spec.alarms[0].okActions[0]", "names no topic"},
		{"six insufficient-data actions", "alarmActions: [alerts]", "alarmActions: [alerts]\n      insufficientDataActions: [a, b, c, d, e, f]", "spec.alarms[0].insufficientDataActions", "at most 5"},
		{"unit", "name: M}", "name: M, unit: Count/Second}", "", ""},
		{"bad unit", "name: M}", "name: M, unit: count}", "spec.alarms[0].metric.unit", "CloudWatch unit"},
		{"selector value", "name: M}", `name: M, value: "$.requestParameters.numberOfBytes"}`, "", ""},
		{"space-delimited value", "name: M}", `name: M, value: "$bytes"}`, "", ""},
		{"metric name with colon", "name: M}", `name: "M:x"}`, "spec.alarms[0].metric.name", "':', '*' or '$'"},
		{"missing metric", "      metric: {namespace: NS, name: M}\n", "", "spec.alarms[0].metric.namespace", "is required"},
		{"description too long", "- name: a\n", "- name: a\n      description: " + strings.Repeat("d", 1025) + "\n", "spec.alarms[0].description", "at most 1024"},
		{"alarm name with control char", "- name: a\n", "- name: \"a\\tb\"\n      filterName: ab\n", "spec.alarms[0].name", "control characters"},
		{"alarm name too long", "- name: a\n", "- name: " + strings.Repeat("a", 256) + "\n", "spec.alarms[0].name", "at most 255"},
		{"duplicate explicit filter names", "alarmActions: [alerts]\n", "alarmActions: [alerts]\n      filterName: f\n" + strings.Replace(alarm("b"), "alarmActions", "filterName: f, alarmActions", 1), "spec.alarms[1].filterName", "duplicate metric filter name"},
		{"101 alarms", "alarmActions: [alerts]\n", "alarmActions: [alerts]\n" + many(100, func(i int) string { return alarm(fmt.Sprintf("x%d", i)) }), "spec.alarms", "at most 100 alarms"},
		{"100 alarms", "alarmActions: [alerts]\n", "alarmActions: [alerts]\n" + many(99, func(i int) string { return alarm(fmt.Sprintf("x%d", i)) }), "", ""},
		{"success and error codes", "errorsOnly: true", "successOnly: true, errorCodes: [AccessDenied]", "spec.alarms[0].match.errorCodes", "matches nothing"},
		{"duplicate event name", "errorsOnly: true", "eventNames: [Decrypt, Decrypt]", "spec.alarms[0].match.eventNames[1]", "duplicate event name"},
		{"bad event source", "eventSource: kms.amazonaws.com", "eventSource: kms", "spec.alarms[0].match.eventSource", "such as kms.amazonaws.com"},
		{"bad error code", "errorsOnly: true", `errorCodes: ["Access Denied"]`, "spec.alarms[0].match.errorCodes[0]", "error code"},
		{"user principal", "errorsOnly: true", `principalArn: "arn:aws:iam::111122223333:user/Alice"`, "", ""},
		{"root principal", "errorsOnly: true", `principalArn: "arn:aws:iam::111122223333:root"`, "", ""},
		{"filterPattern too long", "match: {eventSource: kms.amazonaws.com, errorsOnly: true}", "filterPattern: " + strings.Repeat("x", 1025), "spec.alarms[0].filterPattern", "at most 1024 characters"},
		{"match compiles too long", "errorsOnly: true", "eventNames: [" + strings.TrimSuffix(many(40, func(i int) string { return fmt.Sprintf("SomeLongEventName%d, ", i) }), ", ") + "]", "spec.alarms[0].match", "compiles to a"},
		{"term pattern", "match: {eventSource: kms.amazonaws.com, errorsOnly: true}", `filterPattern: '"AccessDenied" -Decrypt'`, "", ""},
		{"space-delimited pattern", "match: {eventSource: kms.amazonaws.com, errorsOnly: true}", `filterPattern: '[ip, user, status = 4*]'`, "", ""},
		{"unclosed JSON pattern", "match: {eventSource: kms.amazonaws.com, errorsOnly: true}", `filterPattern: '{ $.errorCode = "*"'`, "spec.alarms[0].filterPattern", "syntax error at offset"},
		{"bad actionsEnabled", "alarmActions: [alerts]", "alarmActions: [alerts]\n      actionsEnabled: 1", "spec.alarms[0].actionsEnabled", "true or false"},
		{"YAML 1.1 boolean for a string", "{name: base-logs}", "{name: no}", "spec.logGroup.name", "quote the value"},
		{"number for a string", "{name: base-logs}", "{name: 2024}", "", ""},
		{"key not a string", "metadata: {name: base}", "metadata: {name: base, [1]: x}", "metadata", "keys must be strings"},
		{"merge key", "      alarmActions: [alerts]\n", "      alarmActions: [alerts]\n    - <<: *first\n      name: b\n", "", "YAML merge keys (<<) are not supported"},
		{"alias of a whole list", "alarmActions: [alerts]", "alarmActions: &acts [alerts]\n      okActions: *acts", "", ""},
		{"a Kubernetes object", "apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor", "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}", "apiVersion", "must be kmswatch.dev/v1alpha1, got v1"},
		{"scalar spec", "spec:\n", "spec: 1\nx:\n", "spec", "must be a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBytes([]byte(edit(t, tc.old, tc.new)), "m.yaml")
			if tc.path == "" && tc.msg == "" {
				if err != nil {
					t.Fatalf("want valid, got:\n%v", err)
				}
				return
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("want an ErrorList, got %v", err)
			}
			for _, e := range list {
				if e.Path == tc.path && strings.Contains(e.Error(), tc.msg) {
					return
				}
			}
			t.Errorf("want %s: …%s…, got:\n%v", tc.path, tc.msg, err)
		})
	}
}

// TestWarnings: valid but probably wrong, each message saying why.
func TestWarnings(t *testing.T) {
	cases := []struct {
		name, old, new string
		path, why      string
	}{
		{"10s period on a metric-filter metric", "period: 60s", "period: 10s", "spec.alarms[0].period", "evaluates the 5 empty periods between with treatMissingData (notBreaching)"},
		{"30s period", "period: 60s", "period: 30s", "spec.alarms[0].period", "evaluates the 1 empty periods"},
		{"no actions", "      alarmActions: [alerts]\n", "", "spec.alarms[0].alarmActions", "tells no one"},
		{"actions disabled", "alarmActions: [alerts]", "alarmActions: [alerts]\n      actionsEnabled: false", "spec.alarms[0].actionsEnabled", "tells no one"},
		{"email", `{protocol: https, endpoint: "https://example.com/hook"}`, `{protocol: email, endpoint: a@example.com}`, "spec.topics[0].subscriptions[0].endpoint", "nobody is told of an alarm before that"},
		{"single-region trail", "role/ToLogs\"}", "role/ToLogs\", multiRegion: false}", "spec.trail.multiRegion", "does not see KMS calls made in other regions"},
		{"assumed-role principal", "errorsOnly: true", `principalArn: "arn:aws:sts::111122223333:assumed-role/app/session-1"`, "spec.alarms[0].match.principalArn", "names a single session"},
		{"blank pattern", "match: {eventSource: kms.amazonaws.com, errorsOnly: true}", `filterPattern: "  "`, "spec.alarms[0].filterPattern", "matches every event"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := LoadBytes([]byte(edit(t, tc.old, tc.new)), "m.yaml")
			if err != nil {
				t.Fatalf("a warning must not make the file invalid: %v", err)
			}
			if len(f.Warnings) != 1 {
				t.Fatalf("want one warning, got %v", f.Warnings)
			}
			w := f.Warnings[0]
			if w.Path != tc.path || !strings.Contains(w.Msg, tc.why) || !w.Warning || w.Doc != 1 {
				t.Errorf("got %+v\nwant path %s, message with %q", w, tc.path, tc.why)
			}
		})
	}
	if f, err := LoadBytes([]byte(base), "m.yaml"); err != nil || len(f.Warnings) != 0 {
		t.Errorf("base: %v %v", err, f.Warnings)
	}
}

// TestClaimsAcrossMonitors: two Monitors of one file may not manage the same resource, in the
// same region; in different regions they may.
func TestClaimsAcrossMonitors(t *testing.T) {
	second := func(edits ...string) string {
		doc := strings.Replace(base, "name: base}", "name: other}", 1)
		for i := 0; i+1 < len(edits); i += 2 {
			doc = strings.Replace(doc, edits[i], edits[i+1], 1)
		}
		return base + "---\n" + doc
	}
	unique := []string{"name: base-trail", "name: other-trail", "name: base-logs", "name: other-logs", "- name: alerts", "- name: other-alerts", "alarmActions: [alerts]", "alarmActions: [other-alerts]", "- name: a\n", "- name: other-a\n"}
	// without leaves out the edits at the given indexes (each names an old/new pair).
	without := func(skip ...int) []string {
		var out []string
		for i := 0; i < len(unique); i += 2 {
			if !contains(skip, i) {
				out = append(out, unique[i], unique[i+1])
			}
		}
		return out
	}
	cases := []struct {
		name  string
		text  string
		path  string
		valid bool
	}{
		{"all different", second(unique...), "", true},
		{"same trail", second(without(0)...), "spec.trail.name", false},
		{"same log group", second(without(2)...), "spec.logGroup.name", false},
		{"same topic", second(without(4, 6)...), "spec.topics[0].name", false},
		{"same alarm", second(without(8)...), "spec.alarms[0].name", false},
		{"same monitor name", second(append(unique, "name: other}", "name: base}")...), "metadata.name", false},
		{"same names, other region", second("spec:\n", "spec:\n  region: eu-west-1\n"), "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBytes([]byte(tc.text), "m.yaml")
			if tc.valid {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) != 1 || list[0].Path != tc.path || list[0].Doc != 2 ||
				!strings.Contains(list[0].Msg, `already claimed by Monitor "base" (document 1)`) {
				t.Errorf("want one claim error at document 2 %s, got:\n%v", tc.path, err)
			}
		})
	}
}

// TestScalarConversion: numbers written where strings belong keep their full value, and numbers
// reach the number fields exactly.
func TestScalarConversion(t *testing.T) {
	text := edit(t, "metric: {namespace: NS, name: M}", "metric: {namespace: NS, name: 123456789.5, value: 1, defaultValue: 0.25}")
	text = strings.Replace(text, "threshold: 1", "threshold: 12345678901", 1)
	f, err := LoadBytes([]byte(text), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := f.Monitors[0].Spec.Alarms[0]
	if a.Metric.Name != "123456789.5" || a.Metric.Value != "1" || *a.Metric.DefaultValue != 0.25 || *a.Threshold != 12345678901 {
		t.Errorf("got name %q value %q default %v threshold %v", a.Metric.Name, a.Metric.Value, *a.Metric.DefaultValue, *a.Threshold)
	}
}
