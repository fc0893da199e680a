package lease

import (
	"context"
	"fmt"
	"time"
)

// Run takes part in the election until ctx is done, then releases the lease if it holds it, so
// that a standby takes over at its next poll rather than a whole duration later. It returns the
// release's error, if any (the lease then expires a duration later instead). Step errors (S3
// unreachable, access denied) are logged, reported in Status, and retried: they never end Run.
func (e *Elector) Run(ctx context.Context) error {
	wait := e.initialWait()
	var failing error // the error last logged, to log a repeated error once
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return e.Release(context.WithoutCancel(ctx))
		case <-t.C:
		}
		next, err := e.step(ctx)
		switch {
		case ctx.Err() != nil:
		case err != nil && (failing == nil || failing.Error() != err.Error()):
			e.log.Error(err, "lease step failed; retrying", "retryIn", next.String())
			failing = err
		case err == nil && failing != nil:
			e.log.Info("lease recovered", "after", failing.Error())
			failing = nil
		}
		wait = next
	}
}

// initialWait lets a Run started after Hold acquired the lease renew on schedule, not at once.
func (e *Elector) initialWait() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st.mine && !e.st.lastSent.IsZero() {
		return max(e.st.lastSent.Add(e.renewEvery).Sub(e.now()), 0)
	}
	return 0
}

// Release gives the lease up if this elector holds it: it stops leading first (Check fails from
// here on), then writes a released record on condition that the object is still its last
// write. After Release the elector never leads again.
func (e *Elector) Release(ctx context.Context) error {
	e.stepMu.Lock()
	defer e.stepMu.Unlock()
	e.mu.Lock()
	e.st.closed = true
	held := e.st.mine
	e.st.validUntil, e.st.lostBy = time.Time{}, "it released the lease"
	e.mu.Unlock()
	if !held {
		return nil
	}
	err := e.writeReleased(ctx)
	if lostRace(err) {
		// The object changed since our last confirmed write. If it holds our own write whose
		// answer was lost (a renewal cut short by the shutdown itself), release from that;
		// otherwise someone else holds it and there is nothing of ours to release.
		err = nil
		if e.observe(ctx) == nil && e.holds() {
			err = e.writeReleased(ctx)
		}
	}
	e.mu.Lock()
	e.st.mine = false
	e.mu.Unlock()
	e.finish(nil)
	if err != nil && !lostRace(err) {
		return fmt.Errorf("release lease %s: %w", e.loc, err)
	}
	return nil
}

// writeReleased writes our record marked released, If-Match the ETag of our last write.
func (e *Elector) writeReleased(ctx context.Context) error {
	e.mu.Lock()
	rec := e.recordLocked()
	rec.Renewals, rec.Released = e.st.renewals+1, true
	etag := e.st.etag
	e.mu.Unlock()
	tag, sent, err := e.put(ctx, &rec, etag)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.wroteLocked(&rec, tag, sent)
	e.mu.Unlock()
	e.log.Info("lease released")
	return nil
}

// HeldError is Hold's error when another process holds the lease.
type HeldError struct {
	Status Status
	// Err is the last step's error, when S3 could not be read or written.
	Err error
}

func (e *HeldError) Error() string {
	s := e.Status
	switch {
	case e.Err != nil:
		return fmt.Sprintf("could not acquire lease %s: %v", s.Lease, e.Err)
	case s.RecordError != "":
		return fmt.Sprintf("lease %s is not free: its object is not a lease record kmswatch can read (%s)", s.Lease, s.RecordError)
	case s.Holder != "":
		since := ""
		if s.Since != nil {
			since = " since " + s.Since.UTC().Format(time.RFC3339)
		}
		return fmt.Sprintf("lease %s is held by %s (spec %s)%s", s.Lease, s.Holder, orNone(s.HolderSpecDigest), since)
	}
	return fmt.Sprintf("could not acquire lease %s", s.Lease)
}

func (e *HeldError) Unwrap() error { return e.Err }

// Hold is the one-shot form for a single pass (kmswatch --once --lease): it acquires the lease,
// waiting at most patience for a holder's lease to expire or be released (0: one attempt),
// runs fn while renewing in the background, then releases. fn's context ends if the term ends;
// fn still calls Check (or Guard) before every write. When the lease cannot be had, Hold
// returns a *HeldError naming the holder. Otherwise it returns fn's error: a release that
// fails is logged, not returned, since the pass is done and the lease only expires later.
func (e *Elector) Hold(ctx context.Context, patience time.Duration, fn func(context.Context) error) error {
	if err := e.acquireWithin(ctx, patience); err != nil {
		return err
	}
	termCtx, cancelTerm, err := e.TermContext(ctx)
	if err != nil {
		return err
	}
	defer cancelTerm()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	ferr := fn(termCtx)
	stop()
	if err := <-done; err != nil {
		e.log.Error(err, "the lease could not be released; other replicas take it over once it expires", "after", e.duration.String())
	}
	return ferr
}

func (e *Elector) acquireWithin(ctx context.Context, patience time.Duration) error {
	giveUp := time.Now().Add(patience)
	for {
		next, err := e.step(ctx)
		if e.Check() == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().Add(next).After(giveUp) {
			return &HeldError{Status: e.Status(), Err: err}
		}
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// TermContext returns a context that ends when this process's current term as leader ends, as
// the election loop sees it (lost, released, or past its renew deadline at a step), or an error
// if it does not lead now. Work done as leader runs under it; every write still calls Check.
func (e *Elector) TermContext(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if err := e.Check(); err != nil {
		return ctx, func() {}, err
	}
	e.mu.Lock()
	ended, begun := e.st.termEnded, e.st.reported.Role == RoleLeader
	e.mu.Unlock()
	if !begun {
		// The write that won the lease has landed but its step has not reported the new term
		// (and made the channel that ends it): wait for Elected.
		return ctx, func() {}, &NotLeaderError{Lease: e.loc.String(), Reason: "its term has not begun yet"}
	}
	c, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-ended:
			cancel(&NotLeaderError{Lease: e.loc.String(), Reason: "its term ended"})
		case <-c.Done():
		}
	}()
	return c, func() { cancel(context.Canceled) }, nil
}
