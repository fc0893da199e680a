// Package daemon runs kmswatch continuously: it keeps the AWS chain converged to monitor.yaml and
// reports what it is doing to the tools operators already use.
//
// The contract:
//   - The first pass starts at once. After a successful pass the next starts one --interval after
//     the previous one started, shortened by up to 10% of jitter, so drift is noticed within one
//     interval and a fleet of daemons does not call AWS in lockstep.
//   - The spec file is polled (resolved path, size, mtime and a SHA-256 of its content, every
//     200ms). Polling rather than inotify: a ConfigMap-style symlink swap, an atomic rename and a
//     plain write all change what the resolved path holds, so one mechanism covers all three, and
//     it needs no dependency. A change that has held still for one poll (debounce) triggers a pass.
//   - An edit that does not load is rejected: it is logged, shown in /status, and the last good
//     spec stays enforced. Nothing is ever deleted because of an invalid or emptied file.
//   - A pass that fails with a terminal error (invalid configuration, access denied: see
//     Options.Terminal) is not retried in a loop: the daemon waits for a spec change, or for the
//     backoff cap as a safety net (an IAM fix does not touch the file). Other errors are retried
//     with doubling backoff and a cap; a "recovered" line is logged when a pass succeeds again.
//   - Cancelling the context (SIGTERM, SIGINT) stops at once, mid-pass included: the pass's
//     context reaches every AWS call. A cancelled pass is not an error and is not logged as one.
//   - Another kmswatch writing the same Monitor with another spec (reconcile.Contest) is reported
//     as a warning (logged when it appears and when it clears), in /status (warnings and
//     contests) and by kmswatch_contested_resources{monitor}; its writes are not counted as
//     drift repaired, since they are a fight, not a repair.
//   - The heartbeat (spec.heartbeat): when the Reconciler is also a Heartbeater, the daemon makes
//     the heartbeat every `every` on its own timer, apart from passes and during backoff, the
//     leader only (Options.IsLeader), never under DryRun; Once makes one after its pass. A
//     failed heartbeat is logged and shown on the Monitor's pipeline in /status.
//   - Each pass's pipeline judgements (reconcile.Result.Pipelines) go to /status ("pipeline", per
//     Monitor), to /metrics (kmswatch_pipeline_live, kmswatch_pipeline_last_event_age_seconds,
//     kmswatch_heartbeats_total) and to the log: a line when a Monitor's pipeline status changes,
//     and its problems — delivery errors verbatim — as warnings when they appear and clear.
//   - Handler serves /healthz, /readyz (503 until the first pass completes), /metrics (its own
//     Prometheus registry) and /status (JSON).
package daemon
