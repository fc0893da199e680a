package reconcile

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestDriftRepaired covers every drift of design.md: --dry-run names the field and exits 2, a pass
// repairs it, and the pass after that is all unchanged with no write.
func TestDriftRepaired(t *testing.T) {
	const (
		alarm  = "Alarm/pattern1-logging-alarm"
		filter = "MetricFilter/pattern1-logging-loggroup/pattern1-logging-alarm"
		lg     = "LogGroup/pattern1-logging-loggroup"
		trail  = "Trail/pattern1-logging-trail"
		topic  = "Topic/pattern1-logging-topic"
		sub    = "Subscription/pattern1-logging-topic/sqs/arn:aws:sqs:ap-southeast-2:111122223333:pager"
	)
	tr := func(f *fakeAWS) *fakeTrail { return f.trails["pattern1-logging-trail"] }
	topicARN := "arn:aws:sns:ap-southeast-2:111122223333:pattern1-logging-topic"
	cases := []struct {
		name   string
		drift  func(f *fakeAWS)
		id     string
		field  string // "" for a create
		action Action
	}{
		{"alarm threshold raised", func(f *fakeAWS) {
			a := f.alarms["pattern1-logging-alarm"]
			a.Threshold = aws.Float64(50)
			f.alarms["pattern1-logging-alarm"] = a
		}, alarm, "threshold", ActionUpdate},
		{"alarm deleted", func(f *fakeAWS) { delete(f.alarms, "pattern1-logging-alarm") }, alarm, "", ActionCreate},
		{"alarm actions removed", func(f *fakeAWS) {
			a := f.alarms["pattern1-logging-alarm"]
			a.AlarmActions = nil
			f.alarms["pattern1-logging-alarm"] = a
		}, alarm, "alarmActions", ActionUpdate},
		{"alarm actions disabled", func(f *fakeAWS) {
			a := f.alarms["pattern1-logging-alarm"]
			a.ActionsEnabled = aws.Bool(false)
			f.alarms["pattern1-logging-alarm"] = a
		}, alarm, "actionsEnabled", ActionUpdate},
		{"filter pattern changed", func(f *fakeAWS) {
			fl := f.filters["pattern1-logging-loggroup"]["pattern1-logging-alarm"]
			fl.pattern = `{ $.eventSource = "nothing" }`
			f.filters["pattern1-logging-loggroup"]["pattern1-logging-alarm"] = fl
		}, filter, "filterPattern", ActionUpdate},
		{"filter transformation changed", func(f *fakeAWS) {
			fl := f.filters["pattern1-logging-loggroup"]["pattern1-logging-alarm"]
			fl.t.MetricValue = aws.String("0")
			f.filters["pattern1-logging-loggroup"]["pattern1-logging-alarm"] = fl
		}, filter, "metric.value", ActionUpdate},
		{"filter deleted", func(f *fakeAWS) { delete(f.filters["pattern1-logging-loggroup"], "pattern1-logging-alarm") }, filter, "", ActionCreate},
		{"retention changed", func(f *fakeAWS) { f.logGroups["pattern1-logging-loggroup"].retention = aws.Int32(1) }, lg, "retentionInDays", ActionUpdate},
		{"log group deleted", func(f *fakeAWS) {
			delete(f.logGroups, "pattern1-logging-loggroup")
			delete(f.filters, "pattern1-logging-loggroup")
			delete(f.tags, f.env.logGroupARN("pattern1-logging-loggroup"))
		}, lg, "", ActionCreate},
		{"trail logging stopped", func(f *fakeAWS) { tr(f).logging = false }, trail, "logging", ActionUpdate},
		{"trail log group removed", func(f *fakeAWS) { tr(f).def.CloudWatchLogsLogGroupArn = nil }, trail, "cloudWatchLogsLogGroupArn", ActionUpdate},
		{"trail role removed", func(f *fakeAWS) { tr(f).def.CloudWatchLogsRoleArn = nil }, trail, "cloudWatchLogsRoleArn", ActionUpdate},
		{"kms excluded", func(f *fakeAWS) {
			tr(f).basic = []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
				ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}
		}, trail, "eventSelectors.excludeManagementEventSources", ActionUpdate},
		{"management events off", func(f *fakeAWS) {
			tr(f).basic = []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false)}}
		}, trail, "eventSelectors.includeManagementEvents", ActionUpdate},
		{"selectors write-only", func(f *fakeAWS) {
			tr(f).basic = []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true)}}
		}, trail, "eventSelectors.readWriteType", ActionUpdate},
		{"advanced selector drops kms", func(f *fakeAWS) {
			tr(f).basic = nil
			tr(f).advanced = []ctypes.AdvancedEventSelector{{Name: aws.String("mgmt"), FieldSelectors: []ctypes.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
				{Field: aws.String("eventSource"), NotEquals: []string{"kms.amazonaws.com"}},
			}}}
		}, trail, "advancedEventSelectors.excludeManagementEventSources", ActionUpdate},
		{"multi-region off", func(f *fakeAWS) { tr(f).def.IsMultiRegionTrail = aws.Bool(false) }, trail, "multiRegion", ActionUpdate},
		{"log file validation off", func(f *fakeAWS) { tr(f).def.LogFileValidationEnabled = aws.Bool(false) }, trail, "logFileValidation", ActionUpdate},
		{"trail deleted", func(f *fakeAWS) {
			delete(f.trails, "pattern1-logging-trail")
			delete(f.trailTags, f.env.trailARN("pattern1-logging-trail"))
		}, trail, "", ActionCreate},
		{"topic deleted", func(f *fakeAWS) {
			delete(f.topics, topicARN)
			delete(f.tags, topicARN)
		}, topic, "", ActionCreate},
		{"subscription removed", func(f *fakeAWS) {
			tp := f.topics[topicARN]
			var keep = tp.subs[:0]
			for _, s := range tp.subs {
				if aws.ToString(s.Protocol) != "sqs" {
					keep = append(keep, s)
				}
			}
			tp.subs = keep
		}, sub, "", ActionCreate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAWS()
			c := newTestController(f, Options{})
			ms := loadMonitors(t, "testdata/lab.yaml")
			reconcile(t, c, ms, false)
			f.mu.Lock()
			tc.drift(f)
			f.mu.Unlock()

			f.resetCalls()
			plan := reconcile(t, c, ms, true)
			if code := ExitCode(plan, nil, true); code != ExitPending {
				t.Errorf("dry-run exit code %d, want 2", code)
			}
			if _, writes := f.callCount(); writes != 0 {
				t.Errorf("dry-run wrote: %v", f.calls)
			}
			ch := findChange(plan, tc.id)
			if ch == nil || ch.Action != tc.action {
				t.Fatalf("%s: %+v, want action %s", tc.id, ch, tc.action)
			}
			if tc.field != "" && !hasField(ch.Changes, tc.field) {
				t.Errorf("%s changes %v do not name %s", tc.id, ch.Changes, tc.field)
			}

			res := reconcile(t, c, ms, false)
			if code := ExitCode(res, nil, false); code != ExitInSync {
				t.Errorf("repair exit code %d", code)
			}
			f.resetCalls()
			requireAllNoop(t, reconcile(t, c, ms, false))
			if _, writes := f.callCount(); writes != 0 {
				t.Errorf("pass after the repair wrote: %v", f.calls)
			}
		})
	}
}

func findChange(r *Result, id string) *Change {
	for i := range r.Changes {
		if r.Changes[i].ID == id {
			return &r.Changes[i]
		}
	}
	return nil
}

func hasField(fc []FieldChange, field string) bool {
	for _, c := range fc {
		if c.Field == field || strings.HasPrefix(c.Field, field+".") {
			return true
		}
	}
	return false
}
