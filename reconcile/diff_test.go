package reconcile

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"
)

func ownedTags(m string) map[string]string {
	return map[string]string{TagMonitor: m, TagManagedBy: ManagedByValue, TagDeletionPolicy: "Delete"}
}

func wantAlarm() Alarm {
	return Alarm{Name: "a", Namespace: "NS", MetricName: "M", Statistic: "Sum", Period: 60, EvaluationPeriods: 2,
		DatapointsToAlarm: 2, Threshold: 10, Comparison: "GreaterThanThreshold", TreatMissingData: "missing",
		AlarmActions: []string{"arn:b", "arn:a"}, ActionsEnabled: true, Tags: ownedTags("m")}
}

// TestAlarmFromAWSNormalisesDefaults: what DescribeAlarms omits takes AWS's defaults, so a
// converged alarm diffs as unchanged.
func TestAlarmFromAWSNormalisesDefaults(t *testing.T) {
	got := alarmFromAWS(cwtypes.MetricAlarm{AlarmName: aws.String("a"), Namespace: aws.String("NS"), MetricName: aws.String("M"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(2), Threshold: aws.Float64(10),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, AlarmActions: []string{"arn:a", "arn:b"},
		Unit: "None"})
	got.Tags = ownedTags("m")
	want := wantAlarm()
	if d := diffAlarm(&want, &got); len(d) != 0 {
		t.Errorf("want no change, got %v", d)
	}
}

func TestDiffAlarm(t *testing.T) {
	cases := []struct {
		name string
		edit func(a *Alarm)
		want []FieldChange
	}{
		{"same", func(*Alarm) {}, nil},
		{"threshold", func(a *Alarm) { a.Threshold = 50 }, []FieldChange{{"threshold", "50", "10"}}},
		{"period", func(a *Alarm) { a.Period = 300 }, []FieldChange{{"period", "300", "60"}}},
		{"actions removed", func(a *Alarm) { a.AlarmActions = nil }, []FieldChange{{"alarmActions", "[]", "[arn:a, arn:b]"}}},
		{"actions reordered", func(a *Alarm) { a.AlarmActions = []string{"arn:a", "arn:b"} }, nil},
		{"disabled", func(a *Alarm) { a.ActionsEnabled = false }, []FieldChange{{"actionsEnabled", "false", "true"}}},
		{"foreign tag ignored", func(a *Alarm) { a.Tags = map[string]string{"team": "x"}; merge(a.Tags, ownedTags("m")) }, nil},
		{"tag missing", func(a *Alarm) { a.Tags = map[string]string{TagMonitor: "m", TagManagedBy: ManagedByValue} },
			[]FieldChange{{"tags." + TagDeletionPolicy, "", "Delete"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, got := wantAlarm(), wantAlarm()
			tc.edit(&got)
			if d := cmp.Diff(tc.want, []FieldChange(diffAlarm(&want, &got))); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
		})
	}
}

func merge(dst, src map[string]string) {
	for k, v := range src {
		dst[k] = v
	}
}

func TestDiffPlansByOwnership(t *testing.T) {
	want := State{Monitor: "m", LogGroup: &LogGroup{Name: "lg", RetentionInDays: 30, Tags: ownedTags("m")}}
	cases := []struct {
		name   string
		got    []LogGroup
		adopt  bool
		action Action
		fields int
	}{
		{"absent", nil, false, ActionCreate, 0},
		{"owned, same", []LogGroup{{Name: "lg", RetentionInDays: 30, Tags: ownedTags("m")}}, false, ActionNoop, 0},
		{"owned, drifted", []LogGroup{{Name: "lg", RetentionInDays: 1, Tags: ownedTags("m")}}, false, ActionUpdate, 1},
		{"unowned", []LogGroup{{Name: "lg", RetentionInDays: 30, Tags: map[string]string{}}}, false, ActionConflict, 0},
		{"unowned, adopt", []LogGroup{{Name: "lg", RetentionInDays: 30, Tags: map[string]string{}}}, true, ActionUpdate, 3},
		{"other monitor, adopt", []LogGroup{{Name: "lg", RetentionInDays: 30, Tags: ownedTags("x")}}, true, ActionConflict, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := want
			lg := *want.LogGroup
			lg.Adopt = tc.adopt
			w.LogGroup = &lg
			p := Diff(w, Actual{LogGroups: tc.got})
			if len(p.Steps) != 1 || p.Steps[0].Action != tc.action || len(p.Steps[0].Changes) != tc.fields {
				t.Errorf("plan %+v, want %s with %d fields", p.Steps, tc.action, tc.fields)
			}
		})
	}
}

func TestDiffPrunesOnlyOwned(t *testing.T) {
	got := Actual{
		Alarms: []Alarm{
			{Name: "mine", Tags: merge2(ownedTags("m"), map[string]string{TagFilterLogGroup: "lg", TagFilterName: "mine-f"})},
			{Name: "theirs", Tags: map[string]string{}},
			{Name: "other-monitor", Tags: ownedTags("x")},
		},
		Filters:   []MetricFilter{{LogGroup: "lg", Name: "mine-f"}, {LogGroup: "lg", Name: "theirs-f"}},
		LogGroups: []LogGroup{{Name: "old", Tags: ownedTags("m")}},
		Trails:    []Trail{{Name: "old-trail", Tags: merge2(ownedTags("m"), map[string]string{TagDeletionPolicy: "Delete"})}},
	}
	got.LogGroups[0].Tags[TagDeletionPolicy] = "Retain"
	p := Diff(State{Monitor: "m"}, got)
	var ids []string
	for _, s := range p.Steps {
		ids = append(ids, s.ID+" "+string(s.Action))
	}
	want := []string{
		"MetricFilter/lg/mine-f delete", // the filter before its alarm
		"Alarm/mine delete",
		"Trail/old-trail delete",
		"LogGroup/old keep",
	}
	if d := cmp.Diff(want, ids); d != "" {
		t.Errorf("-want +got:\n%s", d)
	}
}

func merge2(a, b map[string]string) map[string]string {
	out := map[string]string{}
	merge(out, a)
	merge(out, b)
	return out
}

func TestDesiredResolvesARNs(t *testing.T) {
	env := Env{Partition: "aws", Region: "ap-southeast-2", AccountID: "111122223333"}
	ms := loadMonitors(t, "testdata/lab.yaml")
	s := Desired(ms[0], env)
	if s.Trail.LogGroupARN != "arn:aws:logs:ap-southeast-2:111122223333:log-group:pattern1-logging-loggroup:*" {
		t.Errorf("trail log group ARN %s", s.Trail.LogGroupARN)
	}
	if s.Alarms[1].AlarmActions[0] != "arn:aws:sns:ap-southeast-2:111122223333:pattern1-logging-topic" {
		t.Errorf("alarm actions %v", s.Alarms[1].AlarmActions)
	}
	if s.Alarms[1].DatapointsToAlarm != 1 || s.Alarms[0].DatapointsToAlarm != 2 || s.Alarms[0].Period != 300 {
		t.Errorf("defaults: %+v / %+v", s.Alarms[0], s.Alarms[1])
	}
	if s.LogGroup.Tags[TagDeletionPolicy] != "Retain" || s.Alarms[0].Tags[TagDeletionPolicy] != "Delete" {
		t.Errorf("deletion policies: %v %v", s.LogGroup.Tags, s.Alarms[0].Tags)
	}
	if s.Alarms[0].Tags[TagFilterName] != s.Alarms[0].Filter.Name || s.Alarms[0].Tags[TagFilterLogGroup] != s.Alarms[0].Filter.LogGroup {
		t.Errorf("alarm does not record its filter")
	}
}

func TestDesiredPairsAlarmsWithTheirFilters(t *testing.T) {
	ms := loadYAML(t, `
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: m}
spec:
  logGroup: {name: lg}
  alarms:
    - {name: a, filterName: fz, filterPattern: '{ $.x = 1 }', metric: {namespace: NS, name: A}, period: 60s, threshold: 1, comparison: GreaterThanThreshold}
    - {name: b, filterName: fy, filterPattern: '{ $.x = 2 }', metric: {namespace: NS, name: B}, period: 60s, threshold: 1, comparison: GreaterThanThreshold}
`)
	s := Desired(ms[0], Env{Partition: "aws", Region: "r", AccountID: "1"})
	for _, a := range s.Alarms {
		if a.Filter.Name != a.Tags[TagFilterName] || a.Filter.MetricName != a.MetricName {
			t.Errorf("alarm %s paired with filter %s", a.Name, a.Filter.Name)
		}
	}
}

func TestSameKMSKey(t *testing.T) {
	const arn = "arn:aws:kms:ap-southeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		got, want string
		same      bool
	}{
		{arn, arn, true},
		{arn, "1234abcd-12ab-34cd-56ef-1234567890ab", true},
		{arn, "key/1234abcd-12ab-34cd-56ef-1234567890ab", true},
		{arn, "0000abcd-12ab-34cd-56ef-1234567890ab", false},
		{arn, "abcd-12ab-34cd-56ef-1234567890ab", false}, // a suffix of the id is not the id
		{arn, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"", "1234abcd-12ab-34cd-56ef-1234567890ab", false},
	}
	for _, tc := range cases {
		if got := sameKMSKey(tc.got, tc.want); got != tc.same {
			t.Errorf("sameKMSKey(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.same)
		}
	}
}
