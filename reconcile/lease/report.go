package lease

import (
	"fmt"
	"math/rand/v2"
	"time"
)

func defaultRand() float64 { return rand.Float64() }

// event is one line to log after a step.
type event struct {
	msg string
	kv  []any
}

// finish records the outcome of a step, reports what changed, and returns the wait before the
// next step.
func (e *Elector) finish(err error) time.Duration {
	e.mu.Lock()
	e.st.lastErr = err
	now := e.now()
	st := e.statusLocked(now)
	events, changed := e.changesLocked(st, now)
	next := e.nextLocked(st, err, now)
	e.mu.Unlock()

	for _, ev := range events {
		e.log.Info(ev.msg, ev.kv...)
	}
	if changed && e.cfg.OnChange != nil {
		e.cfg.OnChange(st)
	}
	return next
}

// nextLocked is the wait before the next step: a leader renews a third of the duration after
// its last write was sent, and retries sooner after a failure; a standby polls every third of
// the duration, spread by up to a fifth so that standbys started together do not poll together.
func (e *Elector) nextLocked(st Status, err error, now time.Time) time.Duration {
	switch {
	case st.Role == RoleLeader && err == nil:
		return max(e.st.lastSent.Add(e.renewEvery).Sub(now), 0)
	case e.st.mine || err != nil:
		return e.retryEvery
	default:
		return time.Duration(float64(e.renewEvery) * (1 + 0.2*e.rnd()))
	}
}

// changesLocked compares st with what was last reported and returns the lines to log, and
// whether OnChange should be called.
func (e *Elector) changesLocked(st Status, now time.Time) ([]event, bool) {
	prev, first := e.st.reported, !e.st.reportedOnce
	e.st.reported, e.st.reportedOnce = st, true
	if prev.HolderID != "" && st.HolderID != "" && prev.HolderID != st.HolderID {
		e.st.handovers++
	}
	var events []event
	switch {
	case st.Role == RoleLeader && prev.Role != RoleLeader:
		e.st.termEnded = make(chan struct{})
		close(e.st.elected)
		events = append(events, event{"leading", []any{"transitions", st.Transitions, "specDigest", st.HolderSpecDigest}})
	case st.Role != RoleLeader && prev.Role == RoleLeader:
		close(e.st.termEnded)
		e.st.elected = make(chan struct{})
		events = append(events, event{"stopped leading: " + e.notLeaderReasonLocked(now), nil})
	}
	ownChanged := e.st.reportedOwn != e.st.specDigest
	e.st.reportedOwn = e.st.specDigest
	if st.Role == RoleStandby && (first || ownChanged || prev.HolderID != st.HolderID ||
		prev.HolderSpecDigest != st.HolderSpecDigest || prev.RecordError != st.RecordError) {
		events = append(events, e.standbyEventsLocked(st)...)
	}
	changed := first || prev.Role != st.Role || prev.HolderID != st.HolderID ||
		prev.HolderSpecDigest != st.HolderSpecDigest || prev.Released != st.Released || prev.RecordError != st.RecordError
	return events, changed
}

func (e *Elector) standbyEventsLocked(st Status) []event {
	switch {
	case st.RecordError != "":
		return []event{{fmt.Sprintf("standing by: the lease object is not a lease record this kmswatch can read (%s); it is taken over if it stays unchanged for %s",
			st.RecordError, e.expiryLocked()), nil}}
	case st.HolderID == "" || st.HolderID == e.id.ID:
		return nil // free, released, or ours: the next step takes or renews it
	}
	events := []event{{fmt.Sprintf("standing by: %s applies spec %s", st.Holder, orNone(st.HolderSpecDigest)),
		[]any{"holder", st.Holder, "holderSpecDigest", st.HolderSpecDigest, "since", st.Since}}}
	own := e.st.specDigest
	pair := [2]string{st.HolderSpecDigest, own}
	if own != "" && st.HolderSpecDigest != own && e.st.warnedDigest != pair {
		e.st.warnedDigest = pair
		events = append(events, event{fmt.Sprintf(
			"warning: another kmswatch (%s) holds the lease and applies spec %s, not this instance's spec %s; this instance stands by and writes nothing until it leads",
			st.Holder, orNone(st.HolderSpecDigest), own), []any{"holder", st.Holder, "holderSpecDigest", st.HolderSpecDigest, "specDigest", own}})
	}
	return events
}

func orNone(s string) string {
	if s == "" {
		return "(none given)"
	}
	return s
}
