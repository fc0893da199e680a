package main

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// TestLeaseRollingDeployment: the old task (threshold 1) leads; the new task (threshold 5)
// starts beside it, stands by and warns that another kmswatch applies another spec. No write
// touches the alarm until the old task stops; then the new one leads and writes the new
// threshold exactly once.
func TestLeaseRollingDeployment(t *testing.T) {
	for _, kind := range fleetBackends {
		t.Run(kind, func(t *testing.T) { testLeaseRollingDeployment(t, kind) })
	}
}

func testLeaseRollingDeployment(t *testing.T, kind string) {
	fb := newFleetBackend(t, kind)
	dir := t.TempDir()
	oldTask := fb.start(t, "old-task", "-f", labSpecFile(t, dir, "old.yaml", 1))
	eventually(t, 20*time.Second, "the old task leads and converges", func() bool {
		st, ok := oldTask.status(t)
		return ok && st.Ready && st.Lease.Role == "leader" && threshold(t, fb.cw) == 1
	})
	newTask := fb.start(t, "new-task", "-f", labSpecFile(t, dir, "new.yaml", 5))
	fleet := map[string]bool{oldTask.key: true, newTask.key: true}
	watch := watchLeaders(t, oldTask, newTask)
	var st fleetStatus
	eventually(t, 10*time.Second, "the new task stands by, ready", func() bool {
		var ok bool
		st, ok = newTask.status(t)
		return ok && st.Ready && st.Lease.Role == "standby" && st.Lease.HolderSpecDigest != ""
	})
	oldSt, _ := oldTask.status(t)
	if st.Lease.HolderSpecDigest != oldSt.Spec.SHA256 {
		t.Errorf("the standby says the holder applies %s; the old task's spec is %s", st.Lease.HolderSpecDigest, oldSt.Spec.SHA256)
	}
	warning := fmt.Sprintf(`another kmswatch \([^)]*\) holds the lease and applies spec %s, not this instance's spec %s`, oldSt.Spec.SHA256, st.Spec.SHA256)
	newTask.p.waitLog(5*time.Second, warning)
	newTask.p.waitLog(5*time.Second, `"msg":"standing by: [^"]* applies spec `+oldSt.Spec.SHA256)

	side := time.Now()
	time.Sleep(4 * time.Second) // four intervals side by side
	if n := putMetricAlarms(fb.rec.Calls(), fleet, side); len(n) != 0 || threshold(t, fb.cw) != 1 {
		t.Fatalf("while both ran: PutMetricAlarm by %v, threshold %v; want none, 1", n, threshold(t, fb.cw))
	}

	stop := time.Now()
	oldTask.stop(t, syscall.SIGTERM)
	eventually(t, fleetLease/3+time.Second+5*time.Second, "the new spec applied", func() bool { return threshold(t, fb.cw) == 5 })
	t.Logf("%s: new threshold in force %v after the old task got SIGTERM", kind, time.Since(stop).Round(time.Millisecond))
	time.Sleep(3 * time.Second)
	watch.end()
	calls := fb.rec.Calls()
	if n := putMetricAlarms(calls, fleet, side); n[newTask.key] != 1 || len(n) != 1 {
		t.Errorf("PutMetricAlarm since the new task started: %v, want exactly one, by the new task", n)
	}
	checkOnlyHolderCalls(t, calls, fb.leaseWrites(t, calls), fleet)
	fb.checkEmulatorLog(t)
}

// TestSpecFromS3: the spec in S3, watched by ETag. An uploaded edit is applied within one poll
// plus one pass; an invalid upload is rejected, shown in /status, and changes nothing: drift is
// still repaired to the spec in force.
func TestSpecFromS3(t *testing.T) {
	for _, kind := range fleetBackends {
		t.Run(kind, func(t *testing.T) { testSpecFromS3(t, kind) })
	}
}

func testSpecFromS3(t *testing.T, kind string) {
	fb := newFleetBackend(t, kind)
	const poll = time.Second
	first := fb.upload(t, labSpec(t, 1))
	r := fb.start(t, "s3-spec", "-f", "s3://"+stateBucket+"/"+specKey, "--spec-poll", poll.String())
	fleet := map[string]bool{r.key: true}
	eventually(t, 20*time.Second, "converged to the uploaded spec", func() bool { return threshold(t, fb.cw) == 1 })
	if st, _ := r.status(t); st.Spec.Version.ETag != first {
		t.Errorf("/status spec version %+v, want ETag %s", st.Spec, first)
	}

	edited := time.Now()
	second := fb.upload(t, labSpec(t, 7))
	eventually(t, poll+10*time.Second, "the uploaded edit applied", func() bool { return threshold(t, fb.cw) == 7 })
	took := time.Since(edited)
	var st fleetStatus
	eventually(t, 5*time.Second, "/status shows the new version", func() bool {
		st, _ = r.status(t)
		return st.Spec.Version.ETag == second && st.LastPass != nil
	})
	pass, _ := time.ParseDuration(st.LastPass.Duration)
	t.Logf("%s: edit applied %v after the upload (poll %v, pass %v)", kind, took.Round(time.Millisecond), poll, pass)
	if took > poll+pass+time.Second {
		t.Errorf("edit applied after %v: want within one poll (%v) plus one pass (%v), +1s", took, poll, pass)
	}

	rejectedAt := time.Now()
	bad := fb.upload(t, strings.Replace(labSpec(t, 9), "  alarms:", "  alarmz:", 1))
	eventually(t, poll+5*time.Second, "the invalid upload rejected", func() bool {
		st, _ = r.status(t)
		return st.RejectedEdit != nil && st.RejectedEdit.ETag == bad
	})
	if !strings.Contains(st.RejectedEdit.Error, "alarmz") || st.Spec.Version.ETag != second {
		t.Errorf("/status after the invalid upload: %+v, spec %+v", st.RejectedEdit, st.Spec)
	}
	setThreshold(t, fb.cw, 50)
	eventually(t, 5*time.Second, "drift repaired under the spec in force", func() bool { return threshold(t, fb.cw) == 7 })
	time.Sleep(2 * poll)
	// The drift's repair is the only write: the alarm put back, and the marker of the instance
	// that put it back (one tagging call with every update).
	var writes []string
	for _, c := range fb.rec.Calls() {
		if fleet[c.AccessKey] && c.Start.After(rejectedAt) && c.Service != "s3" && awsop.IsWrite(c.Service+":"+c.Op) {
			writes = append(writes, c.Service+":"+c.Op)
		}
	}
	if slices.Sort(writes); !slices.Equal(writes, []string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"}) {
		t.Errorf("writes since the invalid upload %v, want only the drift's repair (PutMetricAlarm and its marker)", writes)
	}
}
