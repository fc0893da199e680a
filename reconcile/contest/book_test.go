package contest

import (
	"errors"
	"testing"
	"time"
)

// The rule, pure: a book, a clock the test moves, and the fresh tag read as a function that says
// what the resource's marker is and counts how often it is asked.

const (
	testBase = time.Minute
	testCap  = 5 * time.Minute
)

var (
	t0      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	me      = Marker{Instance: "host-a-000001", Digest: "aaaaaaaaaaaaaaaa"}
	them    = Marker{Instance: "host-b-000002", Digest: "bbbbbbbbbbbbbbbb"}
	mallory = Marker{Instance: "mallory", Digest: "0000000000000000"}
	ref     = "Alarm/a"
)

// sighting is one pass that finds the resource differing from this instance's spec.
type sighting struct {
	at     time.Duration // since t0
	fp     string        // the difference: "5" for the other spec's values
	marker string        // the resource's applied-by tag at that moment
	want   Verdict
	read   bool // whether the tags must have been read
}

// settledBook is a book in which this instance has established ref (created or found it as its
// spec says) at t0.
func settledBook() *Book[string] {
	b := NewBook[string](testBase, testCap, 20*time.Minute)
	b.Settle(ref, "m", me.Digest, t0, Settled)
	return b
}

func runSightings(t *testing.T, b *Book[string], ss []sighting) {
	t.Helper()
	for i, s := range ss {
		reads := 0
		v, err := b.Judge(ref, me, s.fp, t0.Add(s.at), func() (string, error) { reads++; return s.marker, nil })
		if err != nil {
			t.Fatalf("sighting %d: %v", i, err)
		}
		if v != s.want || (reads == 1) != s.read {
			t.Fatalf("sighting %d at +%v (fp %s, marker %q): verdict %d after %d reads, want %d, read %v",
				i, s.at, s.fp, s.marker, v, reads, s.want, s.read)
		}
	}
}

func TestJudgeFirstSightIsWrittenUnread(t *testing.T) {
	b := NewBook[string](testBase, testCap, 20*time.Minute)
	// Never established: a new process, whose spec may differ from whoever wrote last.
	runSightings(t, b, []sighting{{0, "5", them.String(), Write, false}})
	// Established under an older spec of its own: this instance's edit, not anyone's fight.
	b.Settle(ref, "m", "olderdigest00000", t0, Settled)
	runSightings(t, b, []sighting{{time.Second, "5", them.String(), Write, false}})
	// Found in conflict last time: not established either.
	b.Settle(ref, "m", me.Digest, t0, Foreign)
	runSightings(t, b, []sighting{{2 * time.Second, "5", them.String(), Write, false}})
}

// A person or an attacker who changes the resource without another kmswatch's marker — none at
// all, this instance's own (still there from its last write), a marker of the same instance or
// the same spec — is drift: written at the next pass every time, however often it happens.
func TestJudgeDriftWithoutEvidenceIsAlwaysRepaired(t *testing.T) {
	for name, marker := range map[string]string{
		"no marker":               "",
		"own marker":              me.String(),
		"garbage":                 "not-a-marker",
		"same instance, old spec": Marker{Instance: me.Instance, Digest: them.Digest}.String(),
		"other instance, my spec": Marker{Instance: them.Instance, Digest: me.Digest}.String(),
	} {
		t.Run(name, func(t *testing.T) {
			b := settledBook()
			var ss []sighting
			for i := range 10 { // once a minute for ten minutes
				ss = append(ss, sighting{time.Duration(i) * time.Minute, "100", marker, Write, true})
			}
			runSightings(t, b, ss)
			if b.heads[ref].contest != nil {
				t.Fatal("drift without evidence started a contest")
			}
		})
	}
}

// Another kmswatch: written at once (so that the other sees this instance's marker too), then
// held until the backoff has passed; the backoff doubles at each write up to the cap. The tags
// are read once per change — when the other writes again after this instance did — and not in
// the passes of a hold, which see the very difference the pass before held back.
func TestJudgeContestBacksOffDoublingToTheCap(t *testing.T) {
	b := settledBook()
	hold := func(at time.Duration, read bool) sighting { return sighting{at, "5", them.String(), Hold, read} }
	write := func(at time.Duration, read bool) sighting {
		return sighting{at, "5", them.String(), ContestWrite, read}
	}
	runSightings(t, b, []sighting{
		write(0, true),
		hold(2*time.Second, true), // the other wrote again
		hold(58*time.Second, false),
		write(60*time.Second, false), // +1m: next in 2m
		hold(62*time.Second, true),
		hold(179*time.Second, false),
		write(180*time.Second, false), // +2m: next in 4m
		hold(182*time.Second, true),
		hold(419*time.Second, false),
		write(420*time.Second, false), // +4m: next in 5m (the cap)
		hold(422*time.Second, true),
		hold(719*time.Second, false),
		write(720*time.Second, false), // +5m: capped
		hold(722*time.Second, true),
		hold(1019*time.Second, false),
		write(1020*time.Second, false),
	})
	if c := b.heads[ref].contest; c.delay != testCap || c.theirs != them {
		t.Fatalf("delay %v, theirs %v; want the cap and %v", c.delay, c.theirs, them)
	}
}

// During a contest, this instance writes its spec; someone then sets exactly the other spec's
// values without any marker (this instance's stays on): drift, repaired at once, not held.
func TestJudgeOtherSpecValuesUnderOwnMarkerAreDrift(t *testing.T) {
	b := settledBook()
	runSightings(t, b, []sighting{{0, "5", them.String(), ContestWrite, true}})
	b.Settle(ref, "m", me.Digest, t0.Add(time.Second), Settled) // the next pass finds it as written
	runSightings(t, b, []sighting{
		{2 * time.Second, "5", me.String(), Write, true},
		{4 * time.Second, "5", me.String(), Write, true},
	})
}

// The other instance's marker over values its spec never produced (it stopped; someone changed
// the resource since) is not its write: drift, repaired at once, and the backoff is not advanced.
func TestJudgeLeftoverMarkerOverOtherValuesIsDrift(t *testing.T) {
	b := settledBook()
	runSightings(t, b, []sighting{
		{0, "5", them.String(), ContestWrite, true},
		{10 * time.Second, "100", them.String(), Write, true},
		{20 * time.Second, "200", them.String(), Write, true},
		{30 * time.Second, "5", them.String(), Hold, true},
		{32 * time.Second, "5", them.String(), Hold, false},
	})
	if c := b.heads[ref].contest; c.delay != testBase || !c.next.Equal(t0.Add(testBase)) {
		t.Fatalf("the backoff moved: delay %v, next %v", c.delay, c.next)
	}
}

// Someone who forges a new marker with every change slows the repairs at most to the cap: writes
// happen, and are never further apart than the cap plus one pass.
func TestJudgeForgedMarkersSlowRepairsAtMostToTheCap(t *testing.T) {
	b := settledBook()
	pass := 2 * time.Second
	var writes []time.Duration
	for at := time.Duration(0); at < time.Hour; at += pass {
		// The attacker changes the resource again right after each repair, each time under a
		// marker not seen before.
		forged := Marker{Instance: "mallory", Digest: at.String()}
		v, err := b.Judge(ref, me, "forged "+at.String(), t0.Add(at), func() (string, error) { return forged.String(), nil })
		if err != nil {
			t.Fatal(err)
		}
		if v != Hold {
			writes = append(writes, at)
		}
	}
	if len(writes) < 10 {
		t.Fatalf("%d repairs in an hour: %v", len(writes), writes)
	}
	for i := 1; i < len(writes); i++ {
		if gap := writes[i] - writes[i-1]; gap > testCap+pass {
			t.Fatalf("repairs %v apart (at %v and %v), more than the cap %v", gap, writes[i-1], writes[i], testCap)
		}
	}
	if b.heads[ref].contest.theirs.Instance != mallory.Instance {
		t.Fatalf("the contest does not name the forger: %v", b.heads[ref].contest.theirs)
	}
}

// Once the other instance stops, the resource stops changing: the contest is forgotten after two
// quiet backoff windows, and a later change with its marker starts again from the first step.
func TestJudgeContestExpiresWhenQuiet(t *testing.T) {
	b := settledBook()
	runSightings(t, b, []sighting{{0, "5", them.String(), ContestWrite, true}})
	b.Expire(t0.Add(2*testBase - time.Second))
	if b.heads[ref].contest == nil {
		t.Fatal("the contest expired before two quiet windows")
	}
	b.Expire(t0.Add(2 * testBase))
	if b.heads[ref].contest != nil {
		t.Fatal("the contest outlived two quiet windows")
	}
	runSightings(t, b, []sighting{{3 * testBase, "5", them.String(), ContestWrite, true}})
}

// A resource no pass plans any more is forgotten after keep.
func TestExpireForgetsUnplannedResources(t *testing.T) {
	b := settledBook()
	b.Expire(t0.Add(20 * time.Minute))
	if b.heads[ref] == nil {
		t.Fatal("forgotten before keep")
	}
	b.Expire(t0.Add(20*time.Minute + time.Second))
	if b.heads[ref] != nil {
		t.Fatal("kept after keep")
	}
}

func TestJudgeReadErrorHolds(t *testing.T) {
	b := settledBook()
	boom := errors.New("throttled")
	v, err := b.Judge(ref, me, "5", t0, func() (string, error) { return "", boom })
	if !errors.Is(err, boom) || v != Hold {
		t.Fatalf("verdict %d, err %v; want hold and the error", v, err)
	}
}

// A settle that finds the resource held or failed keeps what was established; a new spec of
// this instance starts afresh and drops the contest.
func TestSettle(t *testing.T) {
	b := settledBook()
	runSightings(t, b, []sighting{{0, "5", them.String(), ContestWrite, true}})
	b.Settle(ref, "m", me.Digest, t0.Add(time.Second), Unsure)
	if m := b.heads[ref]; !m.settled || m.contest == nil {
		t.Fatalf("an unsure pass lost what was known: %+v", m)
	}
	b.Settle(ref, "m", "newdigest0000000", t0.Add(2*time.Second), Settled)
	if m := b.heads[ref]; !m.settled || m.contest != nil || m.digest != "newdigest0000000" {
		t.Fatalf("a new spec kept the old contest: %+v", m)
	}
}

func TestMarkerRoundTrip(t *testing.T) {
	for _, s := range []string{"host-a-1/abc", "a/b/c"} {
		m, ok := ParseMarker(s)
		if !ok || m.String() != s {
			t.Errorf("ParseMarker(%q) = %v, %v", s, m, ok)
		}
	}
	if m, _ := ParseMarker("a/b/c"); m.Instance != "a/b" || m.Digest != "c" {
		t.Errorf("the digest is the part after the last slash: %+v", m)
	}
	for _, s := range []string{"", "abc", "/abc", "abc/"} {
		if _, ok := ParseMarker(s); ok {
			t.Errorf("ParseMarker(%q) accepted", s)
		}
	}
	id := NewInstanceID()
	if id == NewInstanceID() || len(id) > 47 {
		t.Errorf("instance ids %q: want unique, at most 47 characters", id)
	}
}
