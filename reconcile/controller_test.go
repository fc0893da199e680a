package reconcile_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/kmswatch/kmswatch/reconcile"
)

// The controller's own tests: the lab's Monitor (testdata/lab.yaml) and smaller fixtures, each
// on a fresh emulator answering as labAccount, through the real SDK clients.

// actions maps each resource id to its action.
func actions(r *reconcile.Result) map[string]reconcile.Action {
	out := map[string]reconcile.Action{}
	for _, c := range r.Changes {
		out[c.ID] = c.Action
	}
	return out
}

func TestConvergeFromEmptyThenNoop(t *testing.T) {
	t.Parallel()
	ms := load(t, "testdata/lab.yaml")
	a := labAccountWith(t, ms)
	c := a.controller(reconcile.Options{})

	res := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync).res
	want := map[string]reconcile.Action{
		"LogGroup/pattern1-logging-loggroup":                                                    reconcile.ActionCreate,
		"Trail/pattern1-logging-trail":                                                          reconcile.ActionCreate,
		"Topic/pattern1-logging-topic":                                                          reconcile.ActionCreate,
		"Subscription/pattern1-logging-topic/email/secops@example.com":                          reconcile.ActionCreate,
		"Subscription/pattern1-logging-topic/sqs/arn:aws:sqs:ap-southeast-2:111122223333:pager": reconcile.ActionCreate,
		"Alarm/pattern1-logging-alarm":                                                          reconcile.ActionCreate,
		"MetricFilter/pattern1-logging-loggroup/pattern1-logging-alarm":                         reconcile.ActionCreate,
		"Alarm/cis-kms-disable":                                                                 reconcile.ActionCreate,
		"MetricFilter/pattern1-logging-loggroup/cis-kms-disable":                                reconcile.ActionCreate,
	}
	got := actions(res)
	for id, act := range want {
		if got[id] != act {
			t.Errorf("%s: action %q, want %q", id, got[id], act)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d changes, want %d: %v", len(got), len(want), got)
	}
	for _, ch := range res.Changes {
		if !ch.Applied {
			t.Errorf("%s not applied: %v", ch.ID, ch.Err)
		}
	}

	// End state, read back through the SDK.
	a.checkChain(ms[0])
	tr := a.trail(labTrail)
	if tr == nil {
		t.Fatal("trail missing")
	}
	st, err := a.ct.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String(labTrail)})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Fatalf("trail not logging: %+v %v", st, err)
	}
	if got := aws.ToString(tr.CloudWatchLogsLogGroupArn); got != "arn:aws:logs:ap-southeast-2:111122223333:log-group:pattern1-logging-loggroup:*" {
		t.Errorf("trail log group ARN %s", got)
	}
	if !aws.ToBool(tr.IsMultiRegionTrail) || !aws.ToBool(tr.LogFileValidationEnabled) {
		t.Errorf("trail not multi-region with validation: %+v", tr)
	}
	al := a.alarm("pattern1-logging-alarm")
	if al == nil || aws.ToFloat64(al.Threshold) != 1 || aws.ToInt32(al.Period) != 60 || aws.ToString(al.TreatMissingData) != "notBreaching" ||
		len(al.AlarmActions) != 1 {
		t.Errorf("alarm: %+v", al)
	}
	if tags := a.tags(reconcile.KindAlarm, "pattern1-logging-alarm"); tags[reconcile.TagFilterName] != "pattern1-logging-alarm" {
		t.Errorf("alarm does not record its filter: %v", tags)
	}
	var filterOK bool
	for _, f := range a.filters("pattern1-logging-loggroup") {
		if aws.ToString(f.FilterName) == "pattern1-logging-alarm" {
			mt := f.MetricTransformations
			filterOK = strings.Contains(aws.ToString(f.FilterPattern), "kms.amazonaws.com") && len(mt) == 1 &&
				mt[0].DefaultValue != nil && *mt[0].DefaultValue == 0
			if !filterOK {
				t.Errorf("filter: %+v", f)
			}
		}
	}
	if !filterOK {
		t.Error("the alarm's filter is missing or wrong")
	}
	if lg := a.logGroup("pattern1-logging-loggroup"); lg == nil || aws.ToInt32(lg.RetentionInDays) != 90 {
		t.Errorf("log group %+v, want retention 90", lg)
	}

	// The second pass right after: all unchanged, no write call, exit 0.
	next := a.pass(c, ms, false).wantNoop()
	if st := next.change("Subscription/pattern1-logging-topic/email/secops@example.com").State; st != "PendingConfirmation" {
		t.Errorf("email subscription state %q, want PendingConfirmation", st)
	}
	if st := next.change("Trail/pattern1-logging-trail").State; st != "logging" {
		t.Errorf("trail state %q, want logging", st)
	}
	// A warm no-op pass reads no tags.
	for k, n := range next.res.Calls {
		if strings.Contains(k, "Tag") || strings.Contains(k, "GetResources") {
			t.Errorf("warm pass read tags: %s ×%d", k, n)
		}
	}
}

// TestCachedOwnershipReloadsAfterTTL: once the ownership cache is older than its TTL, the next
// pass reloads it in bulk — one tagging-API page for the lab — and is still a no-op.
func TestCachedOwnershipReloadsAfterTTL(t *testing.T) {
	t.Parallel()
	ms := load(t, "testdata/lab.yaml")
	a := labAccountWith(t, ms)
	var now atomic.Int64
	now.Store(time.Unix(1_700_000_000, 0).UnixNano())
	c := a.controller(reconcile.Options{OwnershipTTL: time.Minute, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	if n := a.pass(c, ms, false).wantNoop().res.Calls["tag:GetResources"]; n != 0 {
		t.Errorf("within the TTL the cache was reloaded: %d GetResources", n)
	}
	now.Add(int64(2 * time.Minute))
	if calls := a.pass(c, ms, false).wantNoop().res.Calls; calls["tag:GetResources"] != 1 {
		t.Errorf("after the TTL the cache was not reloaded: %v", calls)
	}
}
