package lease

import (
	"context"
	"strings"
	"testing"
	"time"
)

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Elected is closed while a step has made the elector leader, and a new, open channel stands for
// the next term once it stops leading.
func TestElected(t *testing.T) {
	h := newHarness(t)
	a, b := h.member("a"), h.member("b")
	waitA, waitB := a.e.Elected(), b.e.Elected()
	if closed(waitA) || closed(waitB) {
		t.Fatal("Elected closed before any step")
	}
	h.step(a)
	h.step(b)
	if !closed(waitA) || !closed(a.e.Elected()) {
		t.Fatal("a leads, but its Elected channel is open")
	}
	if closed(waitB) {
		t.Fatal("b stands by, but its Elected channel is closed")
	}
	h.clock.advance(D) // a stops renewing: its deadline passes, and b may take over
	h.step(b)
	if !closed(waitB) {
		t.Fatal("b took the lease over, but the channel it waited on is open")
	}
	h.step(a) // a learns it lost
	if next := a.e.Elected(); closed(next) {
		t.Fatal("a lost the lease, but Elected still answers a closed channel")
	}
}

// Between the write that wins the lease and the end of its step, Check passes but the term has
// not been reported yet: TermContext refuses until it has, so that every term context it gives
// ends with its term.
func TestTermContextWaitsForTheTermToBegin(t *testing.T) {
	h := newHarness(t)
	a := h.member("a")
	if err := a.e.attempt(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.e.Check() != nil {
		t.Fatal("the attempt did not win the lease")
	}
	if _, _, err := a.e.TermContext(context.Background()); err == nil || !strings.Contains(err.Error(), "has not begun") {
		t.Fatalf("TermContext before the step reported the term: %v", err)
	}
	a.e.finish(nil)
	term, cancel, err := a.e.TermContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	h.clock.advance(D) // past the renew deadline: the next step ends the term
	a.e.finish(nil)
	select {
	case <-term.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the term's context did not end with the term")
	}
}
