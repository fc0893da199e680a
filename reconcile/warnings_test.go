package reconcile

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func TestWarnings(t *testing.T) {
	f := newFakeAWS()
	// A trail that is not kmswatch's, feeding the monitor's log group, with KMS excluded.
	f.trails["org-trail"] = &fakeTrail{
		def: ctypes.Trail{Name: aws.String("org-trail"), TrailARN: aws.String(f.env.trailARN("org-trail")), HomeRegion: aws.String(f.env.Region),
			CloudWatchLogsLogGroupArn: aws.String(f.env.logGroupARN("lg") + ":*")},
		logging: true,
		basic: []ctypes.EventSelector{{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
			ExcludeManagementEventSources: []string{kmsSource}}},
	}
	y := strings.Replace(small(t, "", ""), `subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}]`,
		`subscriptions: [{protocol: email, endpoint: a@example.com}]`, 1)
	y = strings.Replace(y, "      alarmActions: [alerts]\n", "      alarmActions: [alerts]\n      actionsEnabled: false\n", 1)
	c := newTestController(f, Options{})
	reconcile(t, c, loadYAML(t, y), false)
	res := reconcile(t, c, loadYAML(t, y), false) // warnings speak of the state observed
	got := map[string]string{}
	for _, w := range res.Warnings {
		got[w.ID] = w.Message
	}
	for id, want := range map[string]string{
		"Trail/org-trail": "kms.amazonaws.com excluded",
		"Topic/alerts":    "no confirmed subscription: alarms",
		"Alarm/a1":        "actions are disabled",
	} {
		if !strings.Contains(got[id], want) {
			t.Errorf("warning %s = %q, want it to say %q", id, got[id], want)
		}
	}
	if f.trails["org-trail"].basic[0].ExcludeManagementEventSources == nil {
		t.Error("a foreign trail was modified")
	}
	// A log group no trail feeds.
	delete(f.trails, "org-trail")
	res = reconcile(t, c, loadYAML(t, y), false)
	found := false
	for _, w := range res.Warnings {
		found = found || (w.ID == "LogGroup/lg" && strings.Contains(w.Message, "no trail"))
	}
	if !found {
		t.Errorf("no warning for a log group no trail feeds: %v", res.Warnings)
	}
}
