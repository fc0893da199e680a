// Package lease elects one writer among kmswatch replicas that reconcile the same Monitors (the
// tasks of one ECS service, old and new ones side by side during a rolling deployment), using a
// single S3 object and S3's conditional writes, as client-go's leaderelection does with a
// Kubernetes Lease and Terraform's S3 backend does for its lock file.
//
// The object holds a JSON Record: the holder (host, ECS task ARN, a per-process ID), when it
// acquired the lease by its own clock, the lease duration, the digest of the spec it applies,
// and a count of handovers. Every write is conditional, so that a lost race is an answer from S3
// and never a silent overwrite:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
//
//	create     PutObject If-None-Match: *        when the object is absent
//	renew      PutObject If-Match: <our ETag>    every Duration/3
//	take over  PutObject If-Match: <their ETag>  when released, or unchanged for a whole Duration
//	release    PutObject If-Match: <our ETag>    a record marked released, on shutdown
//
// A 412 PreconditionFailed, a 409 ConditionalRequestConflict or a 404 to an If-Match means
// another writer got there first: the elector stands by. Nothing is ever deleted.
//
// Contract:
//   - Expiry is judged as client-go judges it, on the observer's own clock (Config.Now): a
//     standby takes the lease over only when the object's ETag has not changed for a whole
//     duration (the longer of its own and the holder's) since the standby first read that ETag.
//     The times in the record are never compared with this machine's clock, so clock skew
//     between replicas does not matter; only their clocks' rates do.
//   - A leader may write only while Check returns nil: until two thirds of the duration after
//     its last successful write was sent (client-go's renewDeadline). A standby cannot have read
//     that write before it was sent, and waits a whole duration from reading it, so the leader
//     stops at least a third of the duration before any standby may start, even when the
//     leader's loop is stalled (a GC pause, a hung connection): Check is judged on the clock,
//     not on the loop. Each S3 call has its own timeout (Config.CallTimeout, default
//     Duration/6), and Guard bounds a write call to the deadline.
//   - A write whose answer is lost (a timeout, a 5xx after the write landed) is recognised by
//     the per-process ID when the object is next read, and renewed from.
//   - Release writes a released record, so that a standby takes over at its next poll (within
//     Duration/3, spread by up to a fifth) instead of a whole duration later.
//   - A standby calls only GetObject on the lease object, conditionally (If-None-Match), every
//     Duration/3; a leader calls only PutObject on it.
//   - Observability: Status (role, holder, holder's spec digest, since, transitions) for
//     /status; Collector for /metrics (kmswatch_leader, kmswatch_lease_transitions_total);
//     OnChange and Elected (a channel closed while leading) for the daemon; log lines
//     "leading", "standing by: <holder> applies spec <digest>", "stopped leading: <why>", and a
//     warning when the holder's spec digest differs from this process's.
//   - Hold is the one-shot form for kmswatch --once --lease: acquire (or fail naming the
//     holder), run one pass, release.
//
// Permissions (IAM), for the lease object only: s3:GetObject and s3:PutObject on
// arn:aws:s3:::BUCKET/KEY, and s3:ListBucket on arn:aws:s3:::BUCKET (which may be limited to
// the key with the s3:prefix condition), without which S3 answers a GET of a missing object
// with 403 instead of 404. s3:DeleteObject is not needed.
package lease
