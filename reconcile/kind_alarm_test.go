package reconcile

import (
	"testing"
)

// TestAlarmItemOwnership: an alarm and its metric filter are one item. A filter is the Monitor's
// to write when it sits in the Monitor's own log group, or when the Monitor's alarm records it;
// otherwise, or when the alarm is someone else's, both are a conflict and neither is written.
func TestAlarmItemOwnership(t *testing.T) {
	recorded := merge2(ownedTags("m"), map[string]string{TagFilterLogGroup: "lg", TagFilterName: "a"})
	filter := MetricFilter{LogGroup: "lg", Name: "a", Pattern: "{ $.x = 1 }", Namespace: "NS", MetricName: "M", Value: "1"}
	wantAlarm := func(adopt bool) Alarm {
		a := wantAlarm()
		a.Tags, a.Adopt = recorded, adopt
		f := filter
		a.Filter = &f
		return a
	}
	ownLG := []LogGroup{{Name: "lg", Tags: ownedTags("m")}}
	foreignLG := []LogGroup{{Name: "lg", Tags: map[string]string{}}}
	drifted := filter
	drifted.Pattern = "{ $.x = 2 }"
	cases := []struct {
		name          string
		adopt         bool
		got           Actual
		alarm, filter Action
		filterMsg     string
	}{
		{"nothing yet", false, Actual{LogGroups: ownLG}, ActionCreate, ActionCreate, ""},
		{"converged", false, Actual{LogGroups: ownLG, Alarms: []Alarm{alarmGot(recorded)}, Filters: []MetricFilter{filter}}, ActionNoop, ActionNoop, ""},
		{"filter drifted", false, Actual{LogGroups: ownLG, Alarms: []Alarm{alarmGot(recorded)}, Filters: []MetricFilter{drifted}}, ActionNoop, ActionUpdate, ""},
		{"alarm deleted, filter left in the own log group", false, Actual{LogGroups: ownLG, Filters: []MetricFilter{filter}}, ActionCreate, ActionNoop, ""},
		{"a filter of the name in a foreign log group, alarm deleted", false, Actual{LogGroups: foreignLG, Filters: []MetricFilter{filter}},
			ActionConflict, ActionConflict, "metric filter exists and is not recorded on an alarm of this monitor; set adopt: true to take it over"},
		{"the alarm records it in a foreign log group", false, Actual{LogGroups: foreignLG, Alarms: []Alarm{alarmGot(recorded)}, Filters: []MetricFilter{drifted}},
			ActionNoop, ActionUpdate, ""},
		{"adopt takes the foreign filter", true, Actual{LogGroups: foreignLG, Filters: []MetricFilter{filter}}, ActionCreate, ActionNoop, ""},
		{"someone else's alarm", false, Actual{LogGroups: ownLG, Alarms: []Alarm{alarmGot(ownedTags("x"))}, Filters: []MetricFilter{filter}},
			ActionConflict, ActionConflict, "its alarm a is in conflict"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := State{Monitor: "m", LogGroup: &LogGroup{Name: "lg", Tags: ownedTags("m")}, Alarms: []Alarm{wantAlarm(tc.adopt)}}
			got := map[string]Change{}
			for _, s := range Diff(want, tc.got).Steps {
				got[s.ID] = s.Change
			}
			a, f := got["Alarm/a"], got["MetricFilter/lg/a"]
			if a.Action != tc.alarm || f.Action != tc.filter {
				t.Errorf("alarm %s, filter %s; want %s, %s (%+v / %+v)", a.Action, f.Action, tc.alarm, tc.filter, a, f)
			}
			if tc.filterMsg != "" && f.Message != tc.filterMsg {
				t.Errorf("filter message %q, want %q", f.Message, tc.filterMsg)
			}
		})
	}
}

// alarmGot is the observed form of wantAlarm with these tags.
func alarmGot(tags map[string]string) Alarm {
	a := wantAlarm()
	a.Tags = tags
	return a
}
