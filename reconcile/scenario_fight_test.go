package reconcile_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
)

// Two kmswatch instances with different specs of one Monitor, and no lease: two Controllers on one
// account, on a clock the test moves (2 seconds a pass), against both backends. The evidence of a
// fight is the other instance's marker; people changing the resource are drift however often they
// do it; a forged marker slows repairs at most to the cap.

// fightClock is the clock both instances read.
type fightClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fightClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fightClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// instance is one kmswatch process of the fight: a controller and the spec it applies.
type instance struct {
	c    *reconcile.Controller
	ms   []spec.Monitor
	name string
}

func (a *account) instance(clock *fightClock, name string, ms []spec.Monitor) instance {
	return instance{c: a.controller(reconcile.Options{Instance: name, Now: clock.now}), ms: ms, name: name}
}

// withThreshold is baseMonitor with scen-kms-errors' threshold set.
func withThreshold(t *testing.T, v string) []spec.Monitor {
	return loadText(t, strings.Replace(baseMonitor, "      threshold: 1\n", "      threshold: "+v+"\n", 1))
}

// putAlarms counts the pass's PutMetricAlarm calls.
func (o outcome) putAlarms() int { return o.res.Calls["cloudwatch:PutMetricAlarm"] }

// wantContest fails unless the pass reports exactly one contest, of Monitor scen, over ids, with
// the other instance's marker, and says so in a warning naming both digests.
func (o outcome) wantContest(mine, theirs instance, ids ...string) {
	o.t.Helper()
	if len(o.res.Contests) != 1 {
		o.t.Fatalf("%d contests, want 1: %+v\npass:\n%s", len(o.res.Contests), o.res.Contests, o.text())
	}
	ct := o.res.Contests[0]
	myDigest, theirDigest := reconcile.SpecDigest(mine.ms[0]), reconcile.SpecDigest(theirs.ms[0])
	if ct.Monitor != "scen" || strings.Join(ct.Resources, ",") != strings.Join(ids, ",") ||
		ct.Mine != (reconcile.Marker{Instance: mine.name, Digest: myDigest}) || ct.Theirs != (reconcile.Marker{Instance: theirs.name, Digest: theirDigest}) {
		o.t.Fatalf("contest %+v, want monitor scen over %v, mine %s/%s, theirs %s/%s", ct, ids, mine.name, myDigest, theirs.name, theirDigest)
	}
	for _, w := range o.res.Warnings {
		if w.ID == "Monitor/scen" && strings.Contains(w.Message, "another kmswatch") && strings.Contains(w.Message, myDigest) &&
			strings.Contains(w.Message, theirDigest) && strings.Contains(w.Message, ids[0]) {
			return
		}
	}
	o.t.Fatalf("no warning names the contest: %v", o.res.Warnings)
}

// wantNoContest fails if the pass reports a contest.
func (o outcome) wantNoContest() outcome {
	o.t.Helper()
	if len(o.res.Contests) != 0 {
		o.t.Fatalf("contests %+v, want none; pass:\n%s", o.res.Contests, o.text())
	}
	return o
}

func fightScenarios() []scenario {
	return []scenario{
		{"fight/two-specs-back-off", fightTwoSpecs},
		{"fight/drift-and-forgery-during-a-fight", fightDriftAndForgery},
		{"fight/filter-only", fightFilterOnly},
		{"fight/untagged-behind-its-back", fightUntagged},
	}
}

// startFight converges instance a, lets b apply its other spec once (b, new, has nothing to doubt)
// and lets each notice the other in its next pass: a first write each, then both back off.
func startFight(t *testing.T, acct *account, clock *fightClock, a, b instance) {
	t.Helper()
	acct.seed(a.ms)
	acct.converge(a.c, a.ms)
	first := acct.pass(b.c, b.ms, false).wantOutcome(reconcile.OutcomeInSync).wantNoContest()
	first.wantAction(idAlarm, reconcile.ActionUpdate, "threshold")
	clock.advance(time.Second)
	pa := acct.pass(a.c, a.ms, false).wantOutcome(reconcile.OutcomeInSync)
	pa.wantAction(idAlarm, reconcile.ActionUpdate, "threshold")
	pa.wantContest(a, b, idAlarm)
	clock.advance(time.Second)
	pb := acct.pass(b.c, b.ms, false).wantOutcome(reconcile.OutcomeInSync)
	pb.wantAction(idAlarm, reconcile.ActionUpdate, "threshold")
	pb.wantContest(b, a, idAlarm)
	for _, o := range []outcome{first, pa, pb} {
		if n := o.putAlarms(); n != 1 {
			t.Fatalf("%d PutMetricAlarm calls in a pass that updates one alarm; pass:\n%s", n, o.text())
		}
	}
}

// fightTwoSpecs: threshold 1 against 5. Each notices within its second pass; then each holds its
// writes (no PutMetricAlarm, no tag read) until its backoff passes; over the first minute the two
// make 6 PutMetricAlarm calls (a's create counted). Once b stops, a's spec holds within its backoff, and the contest
// clears once the alarm has been quiet for two backoff windows.
func fightTwoSpecs(t *testing.T, acct *account) {
	clock := &fightClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	a, b := acct.instance(clock, "instance-a", withThreshold(t, "1")), acct.instance(clock, "instance-b", withThreshold(t, "5"))
	startFight(t, acct, clock, a, b) // 4 PutMetricAlarm: a's create, b's first, one each on evidence
	puts := 4
	reads := map[string]int{}
	for elapsed := 2 * time.Second; elapsed < time.Minute; elapsed += 2 * time.Second {
		clock.advance(2 * time.Second)
		for _, in := range []instance{a, b} {
			o := acct.pass(in.c, in.ms, false)
			puts += o.putAlarms()
			reads[in.name] += o.res.Calls["cloudwatch:ListTagsForResource"]
			if c := o.change(idAlarm); c.Action != reconcile.ActionNoop && c.Action != reconcile.ActionConflict {
				t.Fatalf("+%v %s: alarm %s inside the backoff; pass:\n%s", elapsed, in.name, c.Action, o.text())
			}
		}
	}
	// a read the alarm's tags once, when it first found b's second write; b's spec held since.
	if reads[a.name] != 1 || reads[b.name] != 0 {
		t.Fatalf("tag reads over the hold %v, want 1 by a (one change) and none by b", reads)
	}
	clock.advance(2 * time.Second) // one minute since the first evidence: each writes once more
	for _, in := range []instance{a, b} {
		o := acct.pass(in.c, in.ms, false)
		o.wantAction(idAlarm, reconcile.ActionUpdate, "threshold")
		puts += o.putAlarms()
	}
	if puts != 6 {
		t.Fatalf("%d PutMetricAlarm calls in the first minute and a bit, want 6", puts)
	}
	// b stops. a holds for its backoff (now 2 minutes), then its spec holds.
	var repaired time.Duration
	for elapsed := time.Duration(0); elapsed <= reconcile.DefaultContestBackoffCap; elapsed += 2 * time.Second {
		clock.advance(2 * time.Second)
		o := acct.pass(a.c, a.ms, false)
		if c := o.change(idAlarm); c.Action == reconcile.ActionUpdate && c.Applied {
			repaired = elapsed
			break
		}
	}
	if v := aws.ToFloat64(acct.alarm("scen-kms-errors").Threshold); repaired == 0 || v != 1 {
		t.Fatalf("a's spec does not hold within the cap after b stopped: threshold %v", v)
	}
	t.Logf("after b stopped, a's spec held within %v", repaired)
	clock.advance(2 * time.Second)
	acct.pass(a.c, a.ms, false).wantNoop().wantContest(a, b, idAlarm) // quiet, but recent
	clock.advance(2 * 4 * time.Minute)                                // two windows of the last backoff
	acct.pass(a.c, a.ms, false).wantNoop().wantNoContest()
}

// fightDriftAndForgery: during a fight, a person changes the alarm without a marker (b's stays
// on it): drift, repaired at once despite the backoff. Someone who also forges a marker is held
// like another kmswatch, at most until the backoff passes, under the warning.
func fightDriftAndForgery(t *testing.T, acct *account) {
	clock := &fightClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	a, b := acct.instance(clock, "instance-a", withThreshold(t, "1")), acct.instance(clock, "instance-b", withThreshold(t, "5"))
	startFight(t, acct, clock, a, b)
	// The alarm holds b's spec and marker; a is inside its backoff. A person raises the threshold.
	for i, v := range []float64{100, 200, 300} {
		clock.advance(2 * time.Second)
		acct.putAlarmCopy(t, "scen-kms-errors", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(v) })
		o := acct.pass(a.c, a.ms, false).wantOutcome(reconcile.OutcomeInSync)
		o.wantAction(idAlarm, reconcile.ActionUpdate, "threshold")
		if o.putAlarms() != 1 || o.res.Calls["cloudwatch:ListTagsForResource"] != 1 {
			t.Fatalf("change %d by a person: %d puts, %d tag reads; want one each", i, o.putAlarms(), o.res.Calls["cloudwatch:ListTagsForResource"])
		}
	}
	// The alarm now holds a's marker. Someone sets 100 under a forged marker.
	forge := func() {
		acct.putAlarmCopy(t, "scen-kms-errors", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(100) })
		_, err := acct.cw.TagResource(bg, &cloudwatch.TagResourceInput{ResourceARN: aws.String(acct.alarmARN("scen-kms-errors")),
			Tags: []cwtypes.Tag{{Key: aws.String(reconcile.TagAppliedBy), Value: aws.String("mallory/0123456789abcdef")}}})
		must(t, "forge marker", err)
	}
	clock.advance(2 * time.Second)
	forge()
	held := acct.pass(a.c, a.ms, false).wantOutcome(reconcile.OutcomeFailed)
	if c := held.change(idAlarm); c.Action != reconcile.ActionConflict || !strings.Contains(c.Message, "mallory") || held.putAlarms() != 0 {
		t.Fatalf("forged marker inside the backoff: %s %q, %d puts", c.Action, c.Message, held.putAlarms())
	}
	if len(held.res.Contests) != 1 || held.res.Contests[0].Theirs.Instance != "mallory" {
		t.Fatalf("the warning does not name the forger: %+v", held.res.Contests)
	}
	for elapsed := time.Duration(0); ; elapsed += 2 * time.Second {
		if elapsed > reconcile.DefaultContestBackoffCap {
			t.Fatal("the forged change was not repaired within the cap")
		}
		clock.advance(2 * time.Second)
		if o := acct.pass(a.c, a.ms, false); o.change(idAlarm).Applied && o.change(idAlarm).Action == reconcile.ActionUpdate {
			t.Logf("forged change repaired after %v", elapsed)
			break
		}
	}
	if v := aws.ToFloat64(acct.alarm("scen-kms-errors").Threshold); v != 1 {
		t.Fatalf("threshold %v after the repair, want 1", v)
	}
}

// fightFilterOnly: the specs differ only in a metric filter, which cannot be tagged: each write
// of it stamps its alarm's marker, and the alarm is the contested resource.
func fightFilterOnly(t *testing.T, acct *account) {
	clock := &fightClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	other := loadText(t, strings.Replace(baseMonitor, "($.eventName = DisableKey)", "($.eventName = ScheduleKeyDeletion)", 1))
	a, b := acct.instance(clock, "instance-a", loadText(t, baseMonitor)), acct.instance(clock, "instance-b", other)
	acct.seed(a.ms)
	acct.converge(a.c, a.ms)
	pb := acct.pass(b.c, b.ms, false).wantOutcome(reconcile.OutcomeInSync)
	pb.wantAction(idFilter2, reconcile.ActionUpdate, "filterPattern")
	pb.wantAction(idAlarm2, reconcile.ActionNoop)
	if got := acct.tags(reconcile.KindAlarm, "scen-key-disable")[reconcile.TagAppliedBy]; !strings.HasPrefix(got, "instance-b/") {
		t.Fatalf("b's filter write left the alarm's marker %q, want b's", got)
	}
	clock.advance(time.Second)
	pa := acct.pass(a.c, a.ms, false).wantOutcome(reconcile.OutcomeInSync)
	pa.wantAction(idFilter2, reconcile.ActionUpdate, "filterPattern")
	pa.wantContest(a, b, idAlarm2)
	clock.advance(2 * time.Second)
	acct.pass(b.c, b.ms, false).wantContest(b, a, idAlarm2)
	clock.advance(2 * time.Second)
	held := acct.pass(a.c, a.ms, false)
	if c := held.change(idFilter2); c.Action != reconcile.ActionConflict || held.res.Calls["logs:PutMetricFilter"] != 0 {
		t.Fatalf("the filter was not held: %s, %d puts", c.Action, held.res.Calls["logs:PutMetricFilter"])
	}
}

// fightUntagged: the tag read that judges a change also checks ownership. Someone removes the
// alarm's ownership tags and changes it: although the ownership cache (fresh for 10 minutes) still
// says the alarm is the Monitor's, it is not written — a conflict now, and from the next pass on
// the conflict of any resource kmswatch does not own.
func fightUntagged(t *testing.T, acct *account) {
	clock := &fightClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	a := acct.instance(clock, "instance-a", withThreshold(t, "1"))
	acct.seed(a.ms)
	acct.converge(a.c, a.ms)
	_, err := acct.cw.UntagResource(bg, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(acct.alarmARN("scen-kms-errors")),
		TagKeys: []string{reconcile.TagManagedBy, reconcile.TagMonitor}})
	must(t, "untag alarm", err)
	acct.putAlarmCopy(t, "scen-kms-errors", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(50) })
	for i, want := range []string{"ownership tags changed", "not managed by kmswatch"} {
		clock.advance(2 * time.Second)
		o := acct.pass(a.c, a.ms, false).wantOutcome(reconcile.OutcomeFailed)
		c := o.change(idAlarm)
		if c.Action != reconcile.ActionConflict || !strings.Contains(c.Message, want) || o.putAlarms() != 0 {
			t.Fatalf("pass %d: %s %q with %d puts, want a conflict saying %q and no write", i, c.Action, c.Message, o.putAlarms(), want)
		}
	}
	if v := aws.ToFloat64(acct.alarm("scen-kms-errors").Threshold); v != 50 {
		t.Fatalf("threshold %v: the alarm it no longer owns was written", v)
	}
}
