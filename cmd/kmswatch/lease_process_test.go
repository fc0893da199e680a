package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

// TestLeaseThreeReplicas: three kmswatch processes with one lease, against the emulator and
// against moto. Exactly one leads at any time; the standbys are ready and make no call but the
// lease's; SIGTERM of the leader hands the lease over within a third of the duration plus one
// second; SIGKILL of the next leader within the duration plus one retry after a standby last
// saw the lease change.
func TestLeaseThreeReplicas(t *testing.T) {
	for _, kind := range fleetBackends {
		t.Run(kind, func(t *testing.T) { testLeaseThreeReplicas(t, kind) })
	}
}

func testLeaseThreeReplicas(t *testing.T, kind string) {
	fb := newFleetBackend(t, kind)
	spec := labSpecFile(t, t.TempDir(), "monitor.yaml", 1)
	reps := []*replica{fb.start(t, "replica-a", "-f", spec), fb.start(t, "replica-b", "-f", spec), fb.start(t, "replica-c", "-f", spec)}
	fleet := map[string]bool{}
	for _, r := range reps {
		fleet[r.key] = true
	}
	watch := watchLeaders(t, reps...)
	var leader *replica
	eventually(t, 20*time.Second, "one leader converged, two standbys ready", func() bool {
		leader = nil
		ready := 0
		for _, r := range reps {
			st, ok := r.status(t)
			if ok && st.Ready {
				ready++
			}
			if ok && st.Lease.Role == "leader" && st.LastPass != nil {
				leader = r
			}
		}
		return leader != nil && ready == 3
	})
	for _, r := range reps {
		if code, _ := httpGet(t, r.base+"/readyz"); code != 200 {
			t.Errorf("%s /readyz = %d, want 200 (standbys are ready)", r.name, code)
		}
	}
	if threshold(t, fb.cw) != 1 {
		t.Fatalf("the leader did not converge the alarm")
	}
	time.Sleep(3 * time.Second) // three intervals of steady state

	// SIGTERM: the leader releases; a standby leads within a third of the duration plus 1s.
	termAt := time.Now()
	if code := leader.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("%s exited %d after SIGTERM", leader.name, code)
	}
	next := awaitNewLeader(t, reps, leader, fleetLease/3+time.Second)
	took := time.Since(termAt)
	t.Logf("%s: SIGTERM of %s → %s leads after %v (bound %v)", kind, leader.name, next.name, took.Round(time.Millisecond), fleetLease/3+time.Second)
	if !strings.Contains(leader.p.logs(), `"msg":"lease released"`) {
		t.Errorf("%s did not release the lease on SIGTERM", leader.name)
	}

	// SIGKILL: no release; a standby takes over once the lease has stayed unchanged a whole
	// duration since it last saw it change.
	time.Sleep(2 * time.Second)
	killAt := time.Now()
	next.stop(t, syscall.SIGKILL)
	third := awaitNewLeader(t, reps, next, fleetLease+2*fleetRetry+2*time.Second)
	t.Logf("%s: SIGKILL of %s → %s leads %v after the kill", kind, next.name, third.name, time.Since(killAt).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	watch.end()

	calls := fb.rec.Calls()
	writes := fb.leaseWrites(t, calls)
	checkKillTakeover(t, kind, calls, writes, next.key, third.key)
	n := checkOnlyHolderCalls(t, calls, writes, fleet)
	terms := checkTerms(t, calls, writes, fleet)
	fb.checkEmulatorLog(t)
	t.Logf("%s: %d calls, %d lease writes, %d terms, %d writes by the fleet, each by the holder of its moment", kind, len(calls), len(writes), terms, n)
	if threshold(t, fb.cw) != 1 {
		t.Errorf("the alarm's threshold moved")
	}
}

// awaitNewLeader waits, within bound, for a running replica other than old to lead.
func awaitNewLeader(t *testing.T, reps []*replica, old *replica, bound time.Duration) *replica {
	t.Helper()
	var next *replica
	eventually(t, bound, "another replica leads", func() bool {
		for _, r := range reps {
			if r != old && r.leads(t) {
				next = r
				return true
			}
		}
		return false
	})
	return next
}

// checkKillTakeover measures, from the call log, how long after the taker first read the
// killed leader's last record it took the lease over, and holds it to the duration plus one
// retry (a standby judges expiry from its own first sight of the record, as client-go does).
func checkKillTakeover(t *testing.T, kind string, calls []awsemu.RecordedCall, writes []leaseWrite, killed, taker string) {
	t.Helper()
	var last, take *awsemu.RecordedCall
	for i := range writes {
		w := &writes[i]
		if w.call.AccessKey == killed {
			last = &w.call
		}
		if w.call.AccessKey == taker && last != nil && take == nil && w.call.Start.After(last.End) {
			take = &w.call
		}
	}
	if last == nil || take == nil {
		t.Fatalf("no lease write of the killed leader, or no takeover after it")
	}
	var seen *awsemu.RecordedCall
	for i := range calls {
		c := &calls[i]
		if c.AccessKey == taker && c.Op == "GetObject" && c.Key == leaseKey && c.Status == 200 && c.Start.After(last.End) {
			seen = c
			break
		}
	}
	if seen == nil || seen.End.After(take.Start) {
		t.Fatalf("the taker never read the killed leader's last record before taking over")
	}
	after := take.End.Sub(seen.End)
	t.Logf("%s: takeover %v after the taker first saw the last record (bound: duration %v + one retry %v)", kind, after.Round(time.Millisecond), fleetLease, fleetRetry)
	if after < fleetLease || after > fleetLease+fleetRetry+500*time.Millisecond {
		t.Errorf("takeover %v after first sight of the last record: want at least the duration %v and at most it plus one retry %v (+0.5s)", after, fleetLease, fleetRetry)
	}
}
