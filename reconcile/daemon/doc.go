// Package daemon runs kmswatch continuously: it keeps the AWS chain converged to monitor.yaml and
// reports what it is doing to the tools operators already use.
//
// The contract:
//   - The first pass starts at once. After a successful pass the next starts one --interval after
//     the previous one started, shortened by up to 10% of jitter, so drift is noticed within one
//     interval and a fleet of daemons does not call AWS in lockstep.
//   - The spec comes from a specsource.Watcher (Options.Source): a file polled every 200ms
//     (its resolved path and a SHA-256 of its content: polling rather than inotify, since a
//     ConfigMap-style symlink swap, an atomic rename and a plain write all change what the path
//     leads to, so one mechanism covers all three with no dependency; a change that has held
//     still for one poll triggers a pass), or an S3 object polled with a conditional GET on its
//     ETag (kmswatch -f s3://BUCKET/KEY --spec-poll).
//   - An edit that does not load, and a spec that disappears, are rejected: logged, counted,
//     shown in /status, and the last good spec stays enforced. Nothing is ever deleted because
//     of an invalid or emptied spec.
//   - With Options.Lease (kmswatch --lease), the daemon takes part in the election from the
//     start and runs passes only while it leads, each under the lease term's context; the
//     clients' write gate (the caller wires awsclient.Options.WriteGate to the elector's
//     Guard) refuses every write once the renew deadline has passed. A standby runs no pass —
//     its only AWS calls are the lease's and its spec polls — and is ready. A new term starts
//     with a pass at once. On shutdown the pass stops first and the lease is released after.
//     Leadership() is the question any other writer asks; without a lease the answer is yes.
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
//     leader only (the lease, when there is one), never under DryRun; Once makes one after its pass. A
//     failed heartbeat is logged and shown on the Monitor's pipeline in /status.
//   - Each pass's pipeline judgements (reconcile.Result.Pipelines) go to /status ("pipeline", per
//     Monitor), to /metrics (kmswatch_pipeline_live, kmswatch_pipeline_last_event_age_seconds,
//     kmswatch_heartbeats_total) and to the log: a line when a Monitor's pipeline status changes,
//     and its problems — delivery errors verbatim — as warnings when they appear and clear.
//   - Handler serves /healthz, /readyz (503 until the first pass completes, or until a standby
//     knows a live holder), /metrics (its own Prometheus registry, with kmswatch_leader and
//     kmswatch_lease_transitions_total) and /status (JSON, with the lease and the spec's source
//     and version).
package daemon
