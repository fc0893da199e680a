package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// chaosFor is how long the chaos test disturbs the fleet.
const chaosFor = 60 * time.Second

// TestLeaseChaos: three replicas with one lease, for 60 seconds of random SIGKILLs, restarts
// (each restart a new process with a new access key) and drifts made by an operator. At the
// end the account is converged, never did two replicas lead at once, and the call log shows
// every call of the fleet (writes and reads alike) made by the lease holder of its moment: no
// two instances wrote in one lease term. Once per backend.
func TestLeaseChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of chaos per backend; not under -short")
	}
	for _, kind := range fleetBackends {
		t.Run(kind, func(t *testing.T) { testLeaseChaos(t, kind) })
	}
}

// chaos is the state of a chaos run: the replicas alive, those to restart, what was done.
type chaos struct {
	t        *testing.T
	fb       *fleetBackend
	spec     string
	rnd      *rand.Rand
	alive    []*replica
	restarts []time.Time // when to start a replacement
	fleet    map[string]bool
	watch    *leaderWatch
	started  int
	kills    int
	drifts   int
}

func testLeaseChaos(t *testing.T, kind string) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("%s: chaos seed %d", kind, seed)
	c := &chaos{t: t, fb: newFleetBackend(t, kind), rnd: rand.New(rand.NewPCG(seed, seed)), fleet: map[string]bool{}}
	c.spec = labSpecFile(t, t.TempDir(), "monitor.yaml", 1)
	c.watch = watchLeaders(t)
	for i := 0; i < 3; i++ {
		c.startOne()
	}
	eventually(t, 20*time.Second, "converged before the chaos", func() bool { return threshold(t, c.fb.cw) == 1 })
	end := time.Now().Add(chaosFor)
	for time.Now().Before(end) {
		time.Sleep(time.Duration(1000+c.rnd.IntN(2000)) * time.Millisecond)
		c.restartDue()
		switch {
		case c.rnd.IntN(2) == 0 && len(c.alive) >= 2:
			c.killOne()
		default:
			c.drift()
		}
	}
	for len(c.alive) < 3 {
		c.startOne()
	}
	eventually(t, 20*time.Second, "converged after the chaos", func() bool {
		return threshold(t, c.fb.cw) == 1 && c.leader() != nil
	})
	c.watch.end()
	code, out, logs := runOnce(t, cleanEnv(), append([]string{"--once", "--dry-run", "-f", c.spec, "--endpoint-url", c.fb.url,
		"--account-id", c.fb.account}, c.fb.args...)...)
	if code != exitOK {
		t.Errorf("after the chaos, a dry run finds the account out of sync (exit %d):\n%s\n%s", code, out, logs)
	}
	calls := c.fb.rec.Calls()
	writes := c.fb.leaseWrites(t, calls)
	n := checkOnlyHolderCalls(t, calls, writes, c.fleet)
	terms := checkTerms(t, calls, writes, c.fleet)
	c.fb.checkEmulatorLog(t)
	t.Logf("%s: %v of chaos: %d processes started, %d SIGKILLs, %d drifts; %d calls, %d lease writes, %d terms, %d writes by the fleet, each by the holder of its moment",
		kind, chaosFor, c.started, c.kills, c.drifts, len(calls), len(writes), terms, n)
}

func (c *chaos) startOne() {
	c.started++
	r := c.fb.start(c.t, fmt.Sprintf("chaos-%d", c.started), "-f", c.spec)
	c.fleet[r.key] = true
	c.alive = append(c.alive, r)
	c.watch.add(r)
}

// killOne SIGKILLs a replica (the leader half the time) and schedules its replacement.
func (c *chaos) killOne() {
	victim := c.rnd.IntN(len(c.alive))
	if l := c.leader(); l != nil && c.rnd.IntN(2) == 0 {
		for i, r := range c.alive {
			if r == l {
				victim = i
			}
		}
	}
	r := c.alive[victim]
	r.stop(c.t, syscall.SIGKILL)
	c.alive = append(c.alive[:victim], c.alive[victim+1:]...)
	c.kills++
	c.restarts = append(c.restarts, time.Now().Add(time.Duration(1000+c.rnd.IntN(2000))*time.Millisecond))
}

func (c *chaos) restartDue() {
	var later []time.Time
	for _, at := range c.restarts {
		if time.Now().After(at) {
			c.startOne()
		} else {
			later = append(later, at)
		}
	}
	c.restarts = later
}

// drift changes the alarm behind kmswatch's back: a new threshold, or the alarm deleted.
func (c *chaos) drift() {
	if threshold(c.t, c.fb.cw) < 0 {
		return // deleted by the last drift and not repaired yet: nothing to change
	}
	c.drifts++
	if c.rnd.IntN(3) == 0 {
		_, err := c.fb.cw.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{labAlarm}})
		must(c.t, err)
		return
	}
	setThreshold(c.t, c.fb.cw, float64(2+c.rnd.IntN(98)))
}

func (c *chaos) leader() *replica {
	for _, r := range c.alive {
		if r.leads(c.t) {
			return r
		}
	}
	return nil
}
