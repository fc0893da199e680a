package reconcile_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/kmswatch/kmswatch/reconcile"
)

// TestWarnings: what kmswatch may not or need not fix is reported as a warning of the state
// observed — a foreign trail feeding the Monitor's log group with KMS excluded, a topic with no
// confirmed subscription, alarm actions disabled by the spec, a log group no trail feeds — and
// the foreign trail is left as it is.
func TestWarnings(t *testing.T) {
	t.Parallel()
	a := newLabAccount(t)
	y := strings.Replace(small("", ""), `subscriptions: [{protocol: sqs, endpoint: "arn:aws:sqs:ap-southeast-2:111122223333:q"}]`,
		`subscriptions: [{protocol: email, endpoint: a@example.com}]`, 1)
	y = strings.Replace(y, "      alarmActions: [alerts]\n", "      alarmActions: [alerts]\n      actionsEnabled: false\n", 1)
	ms := loadText(t, y)
	c := a.controller(reconcile.Options{})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)

	// A trail that is not kmswatch's, logging into the monitor's log group, with KMS excluded.
	const role = "arn:aws:iam::111122223333:role/org-trail-to-logs"
	a.emu.SeedBucket("org-bucket")
	a.emu.SeedRole(role)
	must(t, "create foreign trail", err2(a.ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"),
		S3BucketName: aws.String("org-bucket"), CloudWatchLogsLogGroupArn: aws.String(a.logGroupARN("lg") + ":*"),
		CloudWatchLogsRoleArn: aws.String(role)})))
	must(t, "exclude kms", err2(a.ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("org-trail"),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
			ExcludeManagementEventSources: []string{kmsSource}}}})))
	must(t, "start logging", err2(a.ct.StartLogging(bg, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")})))

	o := a.pass(c, ms, false).wantNoop()
	got := map[string]string{}
	for _, w := range o.res.Warnings {
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
	sel, err := a.ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("org-trail")})
	must(t, "get event selectors", err)
	if len(sel.EventSelectors) != 1 || !slices.Equal(sel.EventSelectors[0].ExcludeManagementEventSources, []string{kmsSource}) {
		t.Errorf("a foreign trail was modified: %+v", sel.EventSelectors)
	}

	// A log group no trail feeds.
	must(t, "delete foreign trail", err2(a.ct.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String("org-trail")})))
	o = a.pass(c, ms, false).wantNoop()
	found := false
	for _, w := range o.res.Warnings {
		found = found || (w.ID == "LogGroup/lg" && strings.Contains(w.Message, "no trail"))
	}
	if !found {
		t.Errorf("no warning for a log group no trail feeds: %v", o.res.Warnings)
	}
}
