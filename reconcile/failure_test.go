package reconcile

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestPartialFailureStillConvergesTheRest(t *testing.T) {
	f := newFakeAWS()
	f.fail["logs:PutMetricFilter"] = apiErr("ServiceUnavailableException", "injected")
	c := newTestController(f, Options{})
	ms := loadMonitors(t, "testdata/lab.yaml")
	res, err := c.Reconcile(context.Background(), ms, false)
	if err == nil {
		t.Fatal("no error from a pass whose filter writes failed")
	}
	if IsTerminal(err) {
		t.Errorf("a 503 is not terminal: %v", err)
	}
	if code := ExitCode(res, err, false); code != ExitFailed {
		t.Errorf("exit code %d", code)
	}
	for _, ch := range res.Changes {
		isFilter := ch.Kind == KindMetricFilter
		if isFilter != (ch.Err != nil) || isFilter == ch.Applied {
			t.Errorf("%s: applied %v err %v", ch.ID, ch.Applied, ch.Err)
		}
	}
	if len(f.alarms) != 2 || f.trails["pattern1-logging-trail"] == nil {
		t.Error("independent resources did not converge")
	}
	delete(f.fail, "logs:PutMetricFilter")
	res = reconcile(t, c, ms, false)
	if a := actions(res); a["MetricFilter/pattern1-logging-loggroup/cis-kms-disable"] != ActionCreate {
		t.Errorf("rerun: %v", a)
	}
}

func TestAccessDeniedIsTerminal(t *testing.T) {
	f := newFakeAWS()
	f.fail["cloudwatch:PutMetricAlarm"] = apiErr("AccessDenied", "not allowed")
	_, err := newTestController(f, Options{}).Reconcile(context.Background(), loadMonitors(t, "testdata/lab.yaml"), false)
	if !IsTerminal(err) {
		t.Errorf("access denied should be terminal: %v", err)
	}
	if IsTerminal(errors.Join(err, apiErr("Throttling", "x"))) {
		t.Error("a join with a transient error should be retried")
	}
}

// TestCrashAfterEveryWrite stops a cold converge after its k-th write, for every k, then reruns
// with a fresh controller (a restarted process): it converges with nothing orphaned, and the pass
// after that writes nothing.
func TestCrashAfterEveryWrite(t *testing.T) {
	ms := loadMonitors(t, "testdata/lab.yaml")
	probe := newFakeAWS()
	reconcile(t, newTestController(probe, Options{}), ms, false)
	_, total := probe.callCount()
	if total < 10 {
		t.Fatalf("a cold converge of the lab made only %d writes", total)
	}
	for k := 1; k < total; k++ {
		f := newFakeAWS()
		f.failAfterWrites = k
		if _, err := newTestController(f, Options{}).Reconcile(context.Background(), ms, false); err == nil {
			t.Fatalf("k=%d: no error", k)
		}
		f.failAfterWrites = 0
		c := newTestController(f, Options{})
		res, err := c.Reconcile(context.Background(), ms, false)
		if code := ExitCode(res, err, false); code != ExitInSync {
			t.Fatalf("k=%d: rerun exit %d: %v %v", k, code, err, actions(res))
		}
		f.resetCalls()
		requireAllNoop(t, reconcile(t, c, ms, false))
		if _, w := f.callCount(); w != 0 {
			t.Errorf("k=%d: third pass wrote %v", k, f.calls)
		}
		// Nothing orphaned: every filter is recorded on an alarm, every taggable resource owned.
		for name := range f.filters["pattern1-logging-loggroup"] {
			if _, ok := f.alarms[name]; !ok {
				t.Errorf("k=%d: filter %s without its alarm", k, name)
			}
		}
		for arn := range f.topics {
			if owner(f.tags[arn]) == "" {
				t.Errorf("k=%d: untagged topic %s", k, arn)
			}
		}
		if tr := f.trails["pattern1-logging-trail"]; !tr.logging || owner(f.trailTags[aws.ToString(tr.def.TrailARN)]) == "" {
			t.Errorf("k=%d: trail %+v", k, tr)
		}
	}
}

func TestFilterNotWrittenWhenItsAlarmFails(t *testing.T) {
	f := newFakeAWS()
	f.fail["cloudwatch:PutMetricAlarm"] = apiErr("ServiceUnavailable", "injected")
	c := newTestController(f, Options{})
	res, err := c.Reconcile(context.Background(), loadMonitors(t, "testdata/lab.yaml"), false)
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(f.filters["pattern1-logging-loggroup"]); n != 0 {
		t.Errorf("%d filters written without their alarms", n)
	}
	for _, ch := range res.Changes {
		if ch.Kind == KindMetricFilter && (ch.Err == nil || ch.Applied) {
			t.Errorf("%s: %+v", ch.ID, ch)
		}
	}
}
