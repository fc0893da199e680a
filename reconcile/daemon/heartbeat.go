package daemon

import (
	"context"
	"slices"
	"time"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
)

// Heartbeater makes kmswatch's heartbeat for the Monitors that ask for one: *reconcile.Controller
// is one. A Reconciler that is also a Heartbeater gets heartbeats scheduled by the daemon.
type Heartbeater interface {
	Heartbeat(ctx context.Context, monitors []spec.Monitor) ([]reconcile.Heartbeat, error)
}

// The heartbeat's schedule. The daemon makes the heartbeat every `every` (the shortest
// spec.heartbeat.every of the spec in force, or Options.HeartbeatEvery), on its own timer, apart
// from passes: after the first pass, then whenever it falls due, also while the loop waits for the
// next pass or backs off after a failed one — a kmswatch that cannot reconcile is still alive,
// and its heartbeat says so; one that is dead says nothing, which is the point. It is the
// leader's alone (runs only in a lease term; Leadership is asked first), and never made under --dry-run: a dry run changes nothing,
// and a heartbeat would keep a switch quiet that the real kmswatch no longer feeds.

// heartbeatEvery is the heartbeat's period for the spec in force; 0: no heartbeat.
func (d *Daemon) heartbeatEvery() time.Duration {
	if d.heartbeater == nil || d.opts.DryRun || d.cur == nil {
		return 0
	}
	var every time.Duration
	for _, m := range d.cur.Spec.Monitors {
		if h := m.Spec.Heartbeat; h != nil && (every == 0 || h.Every.Duration < every) {
			every = h.Every.Duration
		}
	}
	if every > 0 && d.opts.HeartbeatEvery > 0 {
		every = d.opts.HeartbeatEvery
	}
	return every
}

// heartbeatDue is how long until the next heartbeat, and whether there is one to make at all.
func (d *Daemon) heartbeatDue() (time.Duration, bool) {
	if d.heartbeatEvery() == 0 {
		return 0, false
	}
	return max(d.nextBeat.Sub(d.now()), 0), true
}

// beat makes the heartbeat if it is due and this instance leads, and schedules the next.
func (d *Daemon) beat(ctx context.Context) {
	every := d.heartbeatEvery()
	if every == 0 || d.now().Before(d.nextBeat) {
		return
	}
	d.nextBeat = d.now().Add(every)
	if err := d.Leadership().Check(); err != nil {
		d.log.V(1).Info("heartbeat skipped: not the leader", "why", err.Error())
		return
	}
	hbCtx, cancel := context.WithTimeout(ctx, min(every, d.opts.PassTimeout))
	defer cancel()
	beats, err := d.heartbeater.Heartbeat(hbCtx, d.cur.Spec.Monitors)
	if ctx.Err() != nil {
		return
	}
	d.recordHeartbeats(beats)
	if err != nil {
		d.log.Error(Redact(err), "heartbeat failed: the dead man's switch fires if this lasts")
	}
}

// recordHeartbeats counts, logs and keeps the heartbeats for /status.
func (d *Daemon) recordHeartbeats(beats []reconcile.Heartbeat) {
	for _, b := range beats {
		d.metrics.observeHeartbeat(b.Err == nil)
		if b.Err == nil {
			d.log.V(1).Info("heartbeat", "region", b.Region, "monitors", b.Monitors)
		}
	}
	d.status.heartbeats(beats)
}

// markHeartbeats puts each heartbeat on the pipelines of the Monitors it served.
func markHeartbeats(res *reconcile.Result, beats []reconcile.Heartbeat) {
	if res == nil {
		return
	}
	for i := range res.Pipelines {
		p := &res.Pipelines[i]
		if p.Heartbeat == nil {
			continue
		}
		for _, b := range beats {
			if !slices.Contains(b.Monitors, p.Monitor) {
				continue
			}
			at := b.At
			p.Heartbeat.LastSent, p.Heartbeat.SendError = &at, ""
			if b.Err != nil {
				p.Heartbeat.SendError = Redact(b.Err).Error()
			}
		}
	}
}
