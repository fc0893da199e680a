package reconcile_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// Failures on the emulator: a write that keeps failing, errors retrying cannot fix, and a pass
// that stops writing part-way. The lab's Monitor throughout.

func TestPartialFailureStillConvergesTheRest(t *testing.T) {
	t.Parallel()
	ms := load(t, "testdata/lab.yaml")
	a := labAccountWith(t, ms)
	remove := inject(t, a.emu, awsemu.Fault{Service: "logs", Op: "PutMetricFilter", Kind: awsemu.ServerError})
	c := a.controller(reconcile.Options{})
	o := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeFailed)
	if o.err == nil {
		t.Fatal("no error from a pass whose filter writes failed")
	}
	if reconcile.IsTerminal(o.err) {
		t.Errorf("a 503 is not terminal: %v", o.err)
	}
	for _, ch := range o.res.Changes {
		isFilter := ch.Kind == reconcile.KindMetricFilter
		if isFilter != (ch.Err != nil) || isFilter == ch.Applied {
			t.Errorf("%s: applied %v err %v", ch.ID, ch.Applied, ch.Err)
		}
	}
	if len(a.alarms()) != 2 || a.trail(labTrail) == nil {
		t.Error("independent resources did not converge")
	}
	remove()
	o = a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	if got := actions(o.res); got["MetricFilter/pattern1-logging-loggroup/cis-kms-disable"] != reconcile.ActionCreate {
		t.Errorf("rerun: %v", got)
	}
	a.checkChain(ms[0])
}

// TestAccessDeniedIsTerminal: an error that retrying cannot fix makes the pass's error terminal,
// so that the daemon waits for a change instead of retrying; joined with a transient error, it
// is retried. On the emulator: CloudTrail cannot use the trail's role (it does not exist), which
// CloudTrail answers "Access denied" (InvalidCloudWatchLogsRoleArnException).
func TestAccessDeniedIsTerminal(t *testing.T) {
	t.Parallel()
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed"}
	if !reconcile.IsTerminal(denied) {
		t.Error("AccessDenied should be terminal")
	}
	if reconcile.IsTerminal(errors.Join(denied, throttled)) {
		t.Error("a join with a transient error should be retried")
	}

	ms := load(t, "testdata/lab.yaml")
	a := newLabAccount(t)
	a.emu.SeedBucket(ms[0].Spec.Trail.S3BucketName) // and not the role
	o := a.pass(a.controller(reconcile.Options{}), ms, false).wantOutcome(reconcile.OutcomeFailed)
	if !reconcile.IsTerminal(o.err) {
		t.Errorf("a role CloudTrail may not use should be terminal: %v", o.err)
	}
	if ch := o.change("Trail/" + labTrail); ch.Err == nil || ch.Applied {
		t.Errorf("trail: %+v, want a failed create", ch)
	}
	if reconcile.IsTerminal(errors.Join(o.err, throttled)) {
		t.Error("the pass's error joined with a transient error should be retried")
	}
}

// TestCrashAfterEveryWrite: for every k, every write after the k-th of a cold converge fails
// (reads still work) and the pass ends in error; a fresh controller (a restarted process) then
// converges with nothing orphaned, and the pass after that writes nothing.
func TestCrashAfterEveryWrite(t *testing.T) {
	t.Parallel()
	ms := load(t, "testdata/lab.yaml")
	probe := labAccountWith(t, ms)
	probe.pass(probe.controller(reconcile.Options{}), ms, false).wantOutcome(reconcile.OutcomeInSync)
	total, writeOps := 0, map[string]bool{}
	for _, r := range callRecords(probe.emu) {
		if !awsop.ReadOnly(r.Service, r.Op) {
			total++
			writeOps[r.Service+":"+r.Op] = true
		}
	}
	if total < 10 {
		t.Fatalf("a cold converge of the lab made only %d writes", total)
	}
	for k := 1; k < total; k++ {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			t.Parallel()
			a := labAccountWith(t, ms)
			var writes atomic.Int32
			var crash sync.Once
			a.tweak = func(o *awsclient.Options) {
				o.MaxAttempts = 1
				onCall := o.OnCall
				o.OnCall = func(service, op, code string, d time.Duration) {
					onCall(service, op, code, d)
					if code == "" && awsop.IsWrite(service+":"+op) && writes.Add(1) == int32(k) {
						crash.Do(func() {
							for w := range writeOps {
								svc, name := splitKey(w)
								inject(t, a.emu, awsemu.Fault{Service: svc, Op: name, Kind: awsemu.ServerError})
							}
						})
					}
				}
			}
			o := a.pass(a.controller(reconcile.Options{}), ms, false)
			if o.err == nil || o.exit != reconcile.OutcomeFailed {
				t.Fatalf("every write after the %d-th failed, yet: exit %d, err %v", k, o.exit, o.err)
			}
			clearFaults(a.emu)
			a.wantRecovered(ms)
		})
	}
}

func TestFilterNotWrittenWhenItsAlarmFails(t *testing.T) {
	t.Parallel()
	ms := load(t, "testdata/lab.yaml")
	a := labAccountWith(t, ms)
	inject(t, a.emu, awsemu.Fault{Service: "cloudwatch", Op: "PutMetricAlarm", Kind: awsemu.ServerError})
	o := a.pass(a.controller(reconcile.Options{}), ms, false).wantOutcome(reconcile.OutcomeFailed)
	if o.err == nil {
		t.Fatal("no error")
	}
	if f := a.filters("pattern1-logging-loggroup"); len(f) != 0 {
		t.Errorf("%d filters written without their alarms", len(f))
	}
	for _, ch := range o.res.Changes {
		if ch.Kind == reconcile.KindMetricFilter && (ch.Err == nil || ch.Applied) {
			t.Errorf("%s: %+v", ch.ID, ch)
		}
	}
}
