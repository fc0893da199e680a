package reconcile

import (
	"errors"
	"time"
)

// Default backoff of the writes to a contested resource.
const (
	DefaultContestBackoff    = time.Minute
	DefaultContestBackoffCap = 5 * time.Minute
)

// verdict is what the contest rule says of a head resource whose plan writes.
type verdict int

const (
	// verdictWrite: drift, or a change this instance has no reason to doubt; written now.
	verdictWrite verdict = iota
	// verdictHold: another kmswatch wrote it and its backoff has not passed; not written.
	verdictHold
	// verdictContestWrite: another kmswatch wrote it and the backoff has passed (or the
	// evidence is new): written now, and the next write waits longer.
	verdictContestWrite
)

// contestBook is one region's memory, per head resource (the resource that carries the tags; its
// untaggable parts go with it), of what this instance established and of the contests it is in.
// The controller alone reads and writes it, under its lock. It is pure: time comes in as now,
// and the one read it may need comes in as a function.
type contestBook struct {
	base, ceiling time.Duration
	// keep is how long a resource no pass planned is remembered: a resource this instance
	// deleted is seen again only when the ownership cache reloads.
	keep  time.Duration
	heads map[Ref]*headMemo
}

// headMemo is what this instance knows of one head resource.
type headMemo struct {
	monitor string
	// digest is this instance's spec digest of the Monitor when settled was last set: a new
	// spec starts afresh, since its changes are this instance's own doing.
	digest string
	// settled: the last pass left the resource and its parts as this instance's spec says
	// (found so, or written so). Only then is a later difference a change behind its back.
	settled bool
	// held is the difference the last pass held back ("" if it held nothing back): while the
	// resource shows it still, nothing changed since, and no tags need reading.
	held    string
	seen    time.Time
	contest *contest
}

// contest is another kmswatch's evidence on one resource, and the backoff of this instance's
// writes to it.
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

// errOwnerChanged says that a resource's ownership tags, read fresh, no longer name the Monitor:
// the plan was made on stale tags.
var errOwnerChanged = errors.New("its ownership tags changed since they were read")

func newContestBook(base, ceiling, keep time.Duration) contestBook {
	if base > ceiling {
		base = ceiling
	}
	return contestBook{base: base, ceiling: ceiling, keep: keep, heads: map[Ref]*headMemo{}}
}

// judge decides a head resource whose plan writes, given fp, the plan's difference from this
// instance's spec (mine). A resource this instance has not established under this spec is simply
// written: it cannot have changed behind its back. Otherwise the resource changed behind its
// back, and read (one fresh read of its tags) tells who changed it last: another kmswatch — a
// marker of another instance and another spec digest — makes it contested; anything else (no
// marker, this instance's own, a marker over values its writer's spec never produced) is drift,
// written now, every time. A contested resource's first write is at once, so that the other
// instance sees this one's marker too; after that writes wait a backoff that doubles up to the
// cap. read is not called while the resource shows the very difference the last pass held back:
// one read per change, none per pass of a hold.
func (b *contestBook) judge(ref Ref, mine Marker, fp string, now time.Time, read func() (string, error)) (verdict, error) {
	m := b.heads[ref]
	if m == nil || m.digest != mine.Digest || !m.settled {
		return verdictWrite, nil
	}
	v, err := b.judgeChange(m, mine, fp, now, read)
	m.held = ""
	if v == verdictHold && err == nil {
		m.held = fp
	}
	return v, err
}

// judgeChange is judge for a resource this instance had established.
func (b *contestBook) judgeChange(m *headMemo, mine Marker, fp string, now time.Time, read func() (string, error)) (verdict, error) {
	if c := m.contest; c != nil && fp == c.evidence && fp == m.held {
		return c.step(now, b.ceiling), nil
	}
	raw, err := read()
	if err != nil {
		return verdictHold, err
	}
	theirs, ok := ParseMarker(raw)
	if !ok || theirs.Instance == mine.Instance || theirs.Digest == mine.Digest {
		return verdictWrite, nil
	}
	c := m.contest
	if c == nil {
		m.contest = &contest{theirs: theirs, prints: map[Marker]string{theirs: fp}, evidence: fp,
			delay: b.base, next: now.Add(b.base), last: now}
		return verdictContestWrite, nil
	}
	if p, seen := c.prints[theirs]; seen && p != fp {
		return verdictWrite, nil
	}
	c.theirs, c.evidence, c.prints[theirs] = theirs, fp, fp
	return c.step(now, b.ceiling), nil
}

// step is the backoff at a sighting of the evidence: hold until next; then write, and double.
func (c *contest) step(now time.Time, ceiling time.Duration) verdict {
	c.last = now
	if now.Before(c.next) {
		return verdictHold
	}
	c.delay = min(2*c.delay, ceiling)
	c.next = now.Add(c.delay)
	return verdictContestWrite
}

// settle records how a pass left a head resource: settled when its steps all hold or were
// applied; no longer settled when it turned out not to be the Monitor's to write; unchanged
// when a write failed or was held back.
func (b *contestBook) settle(ref Ref, monitor, digest string, now time.Time, outcome groupOutcome) {
	m := b.heads[ref]
	if m == nil || m.digest != digest || m.monitor != monitor {
		m = &headMemo{monitor: monitor, digest: digest}
		b.heads[ref] = m
	}
	m.seen = now
	switch outcome {
	case groupSettled:
		m.settled, m.held = true, ""
	case groupForeign:
		m.settled, m.contest, m.held = false, nil, ""
	}
}

// groupOutcome is how a pass left a head resource and its parts.
type groupOutcome int

const (
	groupSettled groupOutcome = iota // as the spec says: found so or written so
	groupUnsure                      // a write failed or was held back
	groupForeign                     // not the Monitor's to write (a conflict)
)

// expire forgets contests whose evidence has not been seen for two backoff windows — the other
// instance stopped, or gave up — and resources no pass has planned for keep.
func (b *contestBook) expire(now time.Time) {
	for ref, m := range b.heads {
		if c := m.contest; c != nil && now.Sub(c.last) >= 2*c.delay {
			m.contest = nil
		}
		if now.Sub(m.seen) > b.keep {
			delete(b.heads, ref)
		}
	}
}
