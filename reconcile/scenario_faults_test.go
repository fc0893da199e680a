package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
	"github.com/kmswatch/kmswatch/spec"
)

// Resilience, on the emulator only: moto cannot inject faults. Every case ends the same way — a
// fault-free rerun by a new controller (a restarted process) converges, leaves no duplicate and
// nothing orphaned, and is followed by a pass that writes nothing.

// faultMonitors is every example plus the scenario Monitors: three trails, four log groups, SNS
// subscriptions of four protocols, alarms with and without explicit filter names.
func faultMonitors(t *testing.T) []spec.Monitor {
	var ms []spec.Monitor
	for _, file := range combinableExamples {
		ms = append(ms, load(t, filepath.Join("..", "examples", file))...)
	}
	return append(ms, loadText(t, baseMonitor+secondMonitor)...)
}

// passCtx is pass with a context.
func (a *account) passCtx(ctx context.Context, c *reconcile.Controller, ms []spec.Monitor, dry bool) outcome {
	a.t.Helper()
	res, err := c.Reconcile(ctx, ms, dry)
	return outcome{t: a.t, res: res, err: err, exit: reconcile.Classify(res, err, dry), dry: dry}
}

// wantRecovered: a fresh controller without faults converges, and the account is exactly what ms
// declare, with a no-op pass after.
func (a *account) wantRecovered(ms []spec.Monitor) {
	a.t.Helper()
	a.tweak = nil
	c := a.controller(reconcile.Options{})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	for _, m := range ms {
		a.checkChain(m)
	}
	a.wantNothingOrphaned(ms)
	a.pass(c, ms, false).wantNoop()
}

func newEmuAccount(t *testing.T, ms []spec.Monitor) *account {
	a := emuBackend{}.account(t)
	a.seed(ms)
	return a
}

// TestResilienceThrottlingAndServerErrors: every third call throttled and every seventh a 5xx,
// across all services; with the SDK's retries (and a tiny backoff) a cold converge still
// succeeds, then drift is still repaired.
func TestResilienceThrottlingAndServerErrors(t *testing.T) {
	t.Parallel()
	ms := faultMonitors(t)
	a := newEmuAccount(t, ms)
	// Standard mode: adaptive mode would also rate-limit the client after the first throttles,
	// sleeping seconds per call (right against AWS, minutes here); TestResilienceAdaptiveMode
	// covers it with a bounded number of throttles.
	a.tweak = func(o *awsclient.Options) { o.MaxAttempts = 5; o.RetryMode = aws.RetryModeStandard }
	defer inject(t, a.emu, awsemu.Fault{Kind: awsemu.Throttle, Every: 3})()
	defer inject(t, a.emu, awsemu.Fault{Kind: awsemu.ServerError, Every: 7})()
	c := a.controller(reconcile.Options{})
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)

	var throttled, failed int
	for _, r := range callRecords(a.emu) {
		switch r.Code {
		case "":
		case "Throttling", "ThrottlingException", "ThrottledException":
			throttled++
		default:
			failed++
		}
	}
	if throttled == 0 || failed == 0 {
		t.Fatalf("the faults never fired: %d throttled, %d server errors", throttled, failed)
	}
	t.Logf("converged through %d throttled calls and %d server errors", throttled, failed)
	clearFaults(a.emu)
	a.wantRecovered(ms)
}

// TestResilienceAdaptiveMode: the default retry mode, adaptive, converges through throttling and
// a 5xx too (a few of them, so that its client-side rate limit stays short).
func TestResilienceAdaptiveMode(t *testing.T) {
	t.Parallel()
	ms := loadText(t, baseMonitor)
	a := newEmuAccount(t, ms)
	defer inject(t, a.emu, awsemu.Fault{Kind: awsemu.Throttle, Every: 3, Times: 2})()
	defer inject(t, a.emu, awsemu.Fault{Kind: awsemu.ServerError, Every: 7, Times: 1})()
	a.pass(a.controller(reconcile.Options{}), ms, false).wantOutcome(reconcile.OutcomeInSync)
	failed := 0
	for _, r := range callRecords(a.emu) {
		switch r.Code {
		case "Throttling", "ThrottlingException", "ThrottledException", "InternalServiceError",
			"InternalError", "ServiceUnavailableException", "InternalFailure":
			failed++
		}
	}
	if failed != 3 {
		t.Fatalf("%d calls failed, want the 3 injected", failed)
	}
	clearFaults(a.emu)
	a.wantRecovered(ms)
}

// writeSeq is the sequence of write calls ("service:Op", the emulator's names) of a cold converge
// of ms, from a reference run on a fresh emulator.
func writeSeq(t *testing.T, ms []spec.Monitor) []string {
	a := newEmuAccount(t, ms)
	a.pass(a.controller(reconcile.Options{}), ms, false).wantOutcome(reconcile.OutcomeInSync)
	var seq []string
	for _, r := range callRecords(a.emu) {
		if !awsop.ReadOnly(r.Service, r.Op) {
			seq = append(seq, r.Service+":"+r.Op)
		}
	}
	if len(seq) == 0 {
		t.Fatal("a cold converge made no writes")
	}
	return seq
}

// TestResilienceFatalErrorAfterEveryWrite: for every k from 1 to the number of writes of a cold
// converge, the write after the k-th fails with an error that is not retried (a 500 with
// retries off): the pass fails (exit 1) after writing what it could; a rerun converges with no
// duplicates and nothing orphaned.
func TestResilienceFatalErrorAfterEveryWrite(t *testing.T) {
	t.Parallel()
	ms := loadText(t, baseMonitor+secondMonitor)
	seq := writeSeq(t, ms)
	t.Logf("a cold converge makes %d writes", len(seq))
	for k := 1; k < len(seq); k++ {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			t.Parallel()
			// The (k+1)-th write is the nth call of its operation.
			next, n := seq[k], 0
			for _, w := range seq[:k+1] {
				if w == next {
					n++
				}
			}
			service, op := splitKey(next)
			a := newEmuAccount(t, ms)
			a.tweak = func(o *awsclient.Options) { o.MaxAttempts = 1 }
			remove := inject(t, a.emu, awsemu.Fault{Service: service, Op: op, Kind: awsemu.ServerError, Nth: n})
			o := a.pass(a.controller(reconcile.Options{}), ms, false)
			remove()
			if o.exit != reconcile.OutcomeFailed || o.err == nil {
				t.Fatalf("a failed write %s: exit %d, err %v; want 1 and an error", next, o.exit, o.err)
			}
			if reconcile.IsTerminal(o.err) {
				t.Errorf("a 500 was reported terminal: %v", o.err)
			}
			a.wantRecovered(ms)
		})
	}
}

// TestResilienceStopAfterEveryWrite: for every k, the process stops right after the k-th write
// (its context is cancelled, as SIGTERM does); a restarted controller converges with no
// duplicates and nothing orphaned.
func TestResilienceStopAfterEveryWrite(t *testing.T) {
	t.Parallel()
	ms := faultMonitors(t)
	seq := writeSeq(t, ms)
	for k := 1; k <= len(seq); k++ {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			t.Parallel()
			a := newEmuAccount(t, ms)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var writes atomic.Int32
			a.tweak = func(o *awsclient.Options) {
				onCall := o.OnCall
				o.OnCall = func(service, op, code string, d time.Duration) {
					onCall(service, op, code, d)
					if code == "" && awsop.IsWrite(service+":"+op) {
						if writes.Add(1) == int32(k) {
							cancel()
						}
					}
				}
			}
			o := a.passCtx(ctx, a.controller(reconcile.Options{}), ms, false)
			if k < len(seq) && (o.err == nil || !errors.Is(o.err, context.Canceled)) {
				t.Fatalf("stopped after write %d of %d: err %v, want context.Canceled", k, len(seq), o.err)
			}
			if int(writes.Load()) != k {
				t.Fatalf("%d writes were made, the stop came after %d", writes.Load(), k)
			}
			a.wantRecovered(ms)
		})
	}
}

// splitKey splits "service:Op".
func splitKey(k string) (service, op string) {
	for i := range k {
		if k[i] == ':' {
			return k[:i], k[i+1:]
		}
	}
	return "", k
}
