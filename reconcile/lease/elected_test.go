package lease

import "testing"

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
