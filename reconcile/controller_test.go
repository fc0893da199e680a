package reconcile

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/spec"
)

func loadMonitors(t *testing.T, path string) []spec.Monitor {
	t.Helper()
	f, err := spec.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return f.Monitors
}

func loadYAML(t *testing.T, y string) []spec.Monitor {
	t.Helper()
	f, err := spec.LoadBytes([]byte(y), "test.yaml")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return f.Monitors
}

func newTestController(f *fakeAWS, opts Options) *Controller {
	return NewController(f.clients(), f.env, logr.Discard(), opts)
}

func reconcile(t *testing.T, c *Controller, ms []spec.Monitor, dryRun bool) *Result {
	t.Helper()
	res, err := c.Reconcile(context.Background(), ms, dryRun)
	if err != nil {
		t.Fatalf("reconcile (dryRun=%v): %v", dryRun, err)
	}
	return res
}

// actions maps each resource id to its action.
func actions(r *Result) map[string]Action {
	out := map[string]Action{}
	for _, c := range r.Changes {
		out[c.ID] = c.Action
	}
	return out
}

func requireAllNoop(t *testing.T, r *Result) {
	t.Helper()
	for _, c := range r.Changes {
		if c.Action != ActionNoop {
			t.Errorf("%s: action %s %v %s, want noop", c.ID, c.Action, c.Changes, c.Message)
		}
	}
}

func TestConvergeFromEmptyThenNoop(t *testing.T) {
	f := newFakeAWS()
	c := newTestController(f, Options{})
	ms := loadMonitors(t, "testdata/lab.yaml")

	res := reconcile(t, c, ms, false)
	want := map[string]Action{
		"LogGroup/pattern1-logging-loggroup":                                                    ActionCreate,
		"Trail/pattern1-logging-trail":                                                          ActionCreate,
		"Topic/pattern1-logging-topic":                                                          ActionCreate,
		"Subscription/pattern1-logging-topic/email/secops@example.com":                          ActionCreate,
		"Subscription/pattern1-logging-topic/sqs/arn:aws:sqs:ap-southeast-2:111122223333:pager": ActionCreate,
		"Alarm/pattern1-logging-alarm":                                                          ActionCreate,
		"MetricFilter/pattern1-logging-loggroup/pattern1-logging-alarm":                         ActionCreate,
		"Alarm/cis-kms-disable":                                                                 ActionCreate,
		"MetricFilter/pattern1-logging-loggroup/cis-kms-disable":                                ActionCreate,
	}
	got := actions(res)
	for id, a := range want {
		if got[id] != a {
			t.Errorf("%s: action %q, want %q", id, got[id], a)
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

	// End state.
	tr := f.trails["pattern1-logging-trail"]
	if tr == nil || !tr.logging {
		t.Fatalf("trail missing or not logging: %+v", tr)
	}
	if got := *tr.def.CloudWatchLogsLogGroupArn; got != "arn:aws:logs:ap-southeast-2:111122223333:log-group:pattern1-logging-loggroup:*" {
		t.Errorf("trail log group ARN %s", got)
	}
	if !*tr.def.IsMultiRegionTrail || !*tr.def.LogFileValidationEnabled {
		t.Errorf("trail not multi-region with validation: %+v", tr.def)
	}
	a := f.alarms["pattern1-logging-alarm"]
	if *a.Threshold != 1 || *a.Period != 60 || *a.TreatMissingData != "notBreaching" || len(a.AlarmActions) != 1 {
		t.Errorf("alarm: %+v", a)
	}
	if got := f.tags[*a.AlarmArn][TagFilterName]; got != "pattern1-logging-alarm" {
		t.Errorf("alarm does not record its filter: %v", f.tags[*a.AlarmArn])
	}
	fl := f.filters["pattern1-logging-loggroup"]["pattern1-logging-alarm"]
	if !strings.Contains(fl.pattern, "kms.amazonaws.com") || *fl.t.DefaultValue != 0 {
		t.Errorf("filter: %+v", fl)
	}
	if r := f.logGroups["pattern1-logging-loggroup"].retention; r == nil || *r != 90 {
		t.Errorf("retention %v", r)
	}

	// The second pass right after: all unchanged, no write call.
	f.resetCalls()
	res = reconcile(t, c, ms, false)
	requireAllNoop(t, res)
	if _, writes := f.callCount(); writes != 0 {
		t.Errorf("second pass made %d write calls: %v", writes, f.calls)
	}
	for _, ch := range res.Changes {
		if ch.ID == "Subscription/pattern1-logging-topic/email/secops@example.com" && ch.State != "PendingConfirmation" {
			t.Errorf("email subscription state %q, want PendingConfirmation", ch.State)
		}
	}
	if ch := findChange(res, "Trail/pattern1-logging-trail"); ch.State != "logging" {
		t.Errorf("trail state %q, want logging", ch.State)
	}
	if code := ExitCode(res, nil, false); code != 0 {
		t.Errorf("exit code %d", code)
	}
	// A warm no-op pass reads no tags.
	for k, n := range f.calls {
		if strings.Contains(k, "Tag") || strings.Contains(k, "GetResources") {
			t.Errorf("warm pass read tags: %s ×%d", k, n)
		}
	}
}

func TestCachedOwnershipReloadsAfterTTL(t *testing.T) {
	f := newFakeAWS()
	now := time.Unix(1_700_000_000, 0)
	c := newTestController(f, Options{OwnershipTTL: time.Minute, Now: func() time.Time { return now }})
	ms := loadMonitors(t, "testdata/lab.yaml")
	reconcile(t, c, ms, false)
	now = now.Add(2 * time.Minute)
	f.resetCalls()
	requireAllNoop(t, reconcile(t, c, ms, false))
	if f.calls["tag:GetResources"] != 1 {
		t.Errorf("after the TTL the cache was not reloaded: %v", f.calls)
	}
}
