package contest

import "time"

// Default backoff of the writes to a contested resource.
const (
	DefaultBackoff    = time.Minute
	DefaultBackoffCap = 5 * time.Minute
)

// Verdict is what the rule says of an established resource whose plan writes.
type Verdict int

const (
	// Write: drift, or a change this instance has no reason to doubt; written now.
	Write Verdict = iota
	// Hold: another kmswatch wrote it and the backoff has not passed; not written.
	Hold
	// ContestWrite: another kmswatch wrote it and the backoff has passed (or the evidence is
	// new): written now, and the next write waits longer.
	ContestWrite
)

// Outcome is how a pass left a resource and its parts.
type Outcome int

const (
	Settled Outcome = iota // as the spec says: found so or written so
	Unsure                 // a write failed or was held back
	Foreign                // not the Monitor's to write (a conflict)
)

// Book is one region's memory, per resource K (the one that carries the marker; its untaggable
// parts go with it), of what this instance established and of the contests it is in.
type Book[K comparable] struct {
	base, ceiling, keep time.Duration
	heads               map[K]*memo
}

// memo is what this instance knows of one resource.
type memo struct {
	monitor string
	// digest is this instance's spec digest of the Monitor when settled was last set: a new
	// spec starts afresh, since its changes are this instance's own doing.
	digest string
	// settled: the last pass left the resource as this instance's spec says (found so, or
	// written so). Only then is a later difference a change behind its back.
	settled bool
	// held is the difference the last pass held back ("" if it held nothing back): while the
	// resource shows it still, nothing changed since, and no tags need reading.
	held    string
	seen    time.Time
	contest *contest
}

// contest is another kmswatch's evidence on one resource, and the backoff of writes to it.
type contest struct {
	theirs Marker
	// prints are the differences from this instance's spec seen under each foreign marker. One
	// spec of the other instance yields one set of values: the same marker over other values is
	// someone else's change, not that instance's.
	prints map[Marker]string
	// evidence is the difference last judged to be another kmswatch's.
	evidence string
	delay    time.Duration
	next     time.Time // no write before
	last     time.Time // evidence last seen
}

// NewBook is an empty book: backoff from base doubling up to ceiling; resources no pass planned
// are forgotten after keep.
func NewBook[K comparable](base, ceiling, keep time.Duration) *Book[K] {
	if base > ceiling {
		base = ceiling
	}
	return &Book[K]{base: base, ceiling: ceiling, keep: keep, heads: map[K]*memo{}}
}

// Ceiling is the longest a write to a contested resource waits.
func (b *Book[K]) Ceiling() time.Duration { return b.ceiling }

// Judge decides a resource k whose plan writes, given fp, the plan's difference from this
// instance's spec (mine), and read, the fresh read of the resource's marker tag (its raw value,
// "" when none). The package doc says how.
func (b *Book[K]) Judge(k K, mine Marker, fp string, now time.Time, read func() (string, error)) (Verdict, error) {
	m := b.heads[k]
	if m == nil || m.digest != mine.Digest || !m.settled {
		return Write, nil
	}
	v, err := b.judgeChange(m, mine, fp, now, read)
	m.held = ""
	if v == Hold && err == nil {
		m.held = fp
	}
	return v, err
}

// judgeChange is Judge for a resource this instance had established.
func (b *Book[K]) judgeChange(m *memo, mine Marker, fp string, now time.Time, read func() (string, error)) (Verdict, error) {
	if c := m.contest; c != nil && fp == c.evidence && fp == m.held {
		return c.step(now, b.ceiling), nil
	}
	raw, err := read()
	if err != nil {
		return Hold, err
	}
	theirs, ok := ParseMarker(raw)
	if !ok || theirs.Instance == mine.Instance || theirs.Digest == mine.Digest {
		return Write, nil
	}
	c := m.contest
	if c == nil {
		m.contest = &contest{theirs: theirs, prints: map[Marker]string{theirs: fp}, evidence: fp,
			delay: b.base, next: now.Add(b.base), last: now}
		return ContestWrite, nil
	}
	if p, seen := c.prints[theirs]; seen && p != fp {
		return Write, nil
	}
	c.theirs, c.evidence, c.prints[theirs] = theirs, fp, fp
	return c.step(now, b.ceiling), nil
}

// step is the backoff at a sighting of the evidence: hold until next; then write, and double.
func (c *contest) step(now time.Time, ceiling time.Duration) Verdict {
	c.last = now
	if now.Before(c.next) {
		return Hold
	}
	c.delay = min(2*c.delay, ceiling)
	c.next = now.Add(c.delay)
	return ContestWrite
}

// Settle records how a pass of the Monitor's spec digest left resource k: established when it
// was found or written as the spec says; no longer when it turned out not to be the Monitor's to
// write; unchanged when a write failed or was held back. A new digest starts afresh.
func (b *Book[K]) Settle(k K, monitor, digest string, now time.Time, o Outcome) {
	m := b.heads[k]
	if m == nil || m.digest != digest || m.monitor != monitor {
		m = &memo{monitor: monitor, digest: digest}
		b.heads[k] = m
	}
	m.seen = now
	switch o {
	case Settled:
		m.settled, m.held = true, ""
	case Foreign:
		m.settled, m.contest, m.held = false, nil, ""
	}
}

// Expire forgets contests whose evidence has not been seen for two backoff windows — the other
// instance stopped, or gave up — and resources no pass has planned for keep.
func (b *Book[K]) Expire(now time.Time) {
	for k, m := range b.heads {
		if c := m.contest; c != nil && now.Sub(c.last) >= 2*c.delay {
			m.contest = nil
		}
		if now.Sub(m.seen) > b.keep {
			delete(b.heads, k)
		}
	}
}

// State is a contested resource as the book knows it.
type State struct {
	// Monitor and Digest are the Monitor and this instance's spec digest of it.
	Monitor, Digest string
	// Theirs is the other instance's marker; Next the earliest time of the next write.
	Theirs Marker
	Next   time.Time
}

// Contested lists the resources in a contest now.
func (b *Book[K]) Contested() map[K]State {
	out := map[K]State{}
	for k, m := range b.heads {
		if m.contest != nil {
			out[k] = State{Monitor: m.monitor, Digest: m.digest, Theirs: m.contest.theirs, Next: m.contest.next}
		}
	}
	return out
}

// Contest is resource k's contest, if it is in one.
func (b *Book[K]) Contest(k K) (State, bool) {
	m := b.heads[k]
	if m == nil || m.contest == nil {
		return State{}, false
	}
	return State{Monitor: m.monitor, Digest: m.digest, Theirs: m.contest.theirs, Next: m.contest.next}, true
}
