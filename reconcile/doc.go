// Package reconcile keeps the AWS chain that a Monitor describes — CloudTrail trail → CloudWatch
// Logs log group → metric filter → CloudWatch alarm → SNS topic and subscriptions — in its desired
// state, and reports, one Change per resource, what it did.
//
// A pass is a pipeline of stages with one job each:
//
//	Desired(monitor, env) State      pure: the chain in AWS's terms, ARNs resolved, tags set
//	observe                 Actual   reads only, batched across the region's Monitors
//	Diff(State, Actual)     Plan     pure: one Step per resource, field paths, AWS defaults normalised
//	apply(Plan)             []Change writes in dependency order, deletes in reverse
//
// Controller.Reconcile runs them for every Monitor, in the Monitor's spec.region (default: the
// region of the clients and Env given to NewController); a dry run stops before apply. A pass right
// after a successful apply plans only noop steps and makes no write call.
//
// # Kinds
//
// Each kind of item a Monitor declares is one file that says how it is desired, observed,
// compared, created, updated, deleted and tagged, behind the kind interface (kind.go):
// kind_loggroup.go, kind_trail.go (with its event selectors, trail_selectors.go), kind_topic.go
// (with its subscriptions) and kind_alarm.go (with its metric filter). The rules that all kinds
// share — conflict, adoption, pruning, deletion policy — are the planner's (kind.go); the order
// of steps is Diff's; ownership is recorded by the controller alone, from the facts that observe
// and apply report (observe.go, region.go).
//
// Adding a kind: write kind_<name>.go with a type implementing kind (desire, observe, plan, and
// the writes its steps bind, with a tagIO that reads and stamps its head's tags — say there what
// the marker costs its create and its update — and parts marked with part); add its field to State and Actual (state.go); register it in kinds,
// in dependency order; add its Kind constant (ref.go) and its call to the narrow interfaces
// (reconcile/awsclient) and to examples/iam-policy.json.
//
// # Contract
//
//   - Ownership. Everything kmswatch creates carries kmswatch.dev/managed-by=kmswatch and
//     kmswatch.dev/monitor=<name>, plus kmswatch.dev/deletion-policy. Metric filters cannot be
//     tagged: a filter is owned through the log group holding it, when the Monitor owns that, and
//     through the alarm that records it (kmswatch.dev/filter-log-group, -filter-name), which is
//     what pruning relies on. The alarm/filter pair is one item, written alarm first and deleted
//     filter first — a crash never leaves an unrecorded filter. Subscriptions are owned through
//     their topic. A resource of a desired name that the Monitor does not own is a conflict (never
//     written), unless its item says adopt; a resource owned by another Monitor is always a
//     conflict.
//   - Marker. Every write also says who made it: kmswatch.dev/applied-by=<instance>/<digest>, the
//     writing instance (Options.Instance) and the SpecDigest of the Monitor it applied, on the
//     head resource — the one that carries the tags; a write to a metric filter or a
//     subscription stamps its alarm's or topic's. It goes in the create call where the API takes
//     tags (every kind's does), and costs an update one tagging call (each kind's file says which),
//     written before the change so that whoever sees the new values sees who wrote them. It is
//     not desired state: a marker that differs is not drift, and it is never written by itself.
//   - Contests. Two instances applying different specs of one Monitor (no lease, or a rolling
//     deployment) must not flip its resources on every pass. Between Diff and apply, the
//     controller (guard.go; the rule itself is package contest, pure) looks at each head
//     resource whose plan writes and that this instance had established under its current spec
//     (created, repaired, or found as the spec says): it changed behind this instance's back.
//     One fresh read of its tags (ListTagsForResource; CloudTrail ListTags) says who changed it
//     last. Another kmswatch — a marker of another instance and another spec digest — makes it
//     contested: written once at once (so that the other instance sees this one's marker and
//     notices too, at its next pass), then held — its writing steps become conflicts naming the
//     other instance — with a backoff per resource that doubles at every write from
//     Options.ContestBackoff (1m) up to ContestBackoffCap (5m). Result.Contests and a warning
//     containing "another kmswatch" name the Monitor, the resources and both digests; no side
//     wins by itself, and once the other stops this spec holds within the backoff. Anything
//     else — no marker, this instance's own, or the other's marker over values its spec never
//     produced — is drift, written at once, every time: backing off is never a way to silence
//     kmswatch, and a forged marker slows repairs at most to the cap, under the warning. A
//     contest is forgotten after two quiet backoff windows. The cost: one tag read per change
//     made behind kmswatch's back (none in the passes of a hold, which see the very difference
//     the pass before held back; none in a quiet pass). A create is never held (an absent resource carries no marker), so
//     a fight in which one spec deletes what the other creates is seen only by the deleting side,
//     when its ownership cache reloads.
//   - Pruning. An owned resource that its Monitor no longer declares is deleted, unless the
//     deletion policy recorded on it says Retain (the default for log groups and trails): it is
//     then kept and reported "keep". A Monitor missing from the file is pruned only with
//     Options.PruneRemovedMonitors; Reconcile with no Monitors does nothing.
//   - Regions. Each region has its own clients (Clients.ForRegion, made once and kept), Env (the
//     same account and partition), ownership cache and read batches, so the cost below holds per
//     region. A pass reads the regions of the file's Monitors and the default region, and prunes
//     only there: in each, what a Monitor of the file owns but that lives in another region now
//     is pruned as removed items are — once the Monitor has converged in its new region.
//     Changes and warnings outside the default region carry their Region (ids are unique per
//     region only).
//   - Cost. A pass reads the alarms of all its Monitors at once, 100 names a DescribeAlarms call,
//     their log groups 50 names a DescribeLogGroups call (logGroupIdentifiers), metric filters 50
//     a page per log group, the region's trails in one DescribeTrails call, then per trail its
//     status and event selectors, per topic its attributes and subscriptions. Ownership tags are
//     read in bulk (the Resource Groups Tagging API, CloudTrail ListTags 20 trails a call) and
//     cached: a warm pass in which nothing changed reads no tags. The cache is reloaded every
//     Options.OwnershipTTL; a resource seen for the first time is confirmed with one
//     ListTagsForResource before it is called a conflict, since the tagging API is eventually
//     consistent. Pagination goes through the SDK's paginators.
//   - Errors. Independent resources converge even when others fail; errors are joined. A Monitor
//     whose state could not be read is not written to. IsTerminal tells errors that retrying cannot
//     fix (validation, access denied) so that the daemon waits for a spec change; TerminalError
//     marked Invalid is a configuration that can never work (Classify's OutcomeInvalid).
//   - Writes can be gated (awsclient.Options.WriteGate): every attempt of every call that changes AWS
//     asks the gate first and is sent under the context it returns, which is how a leader that
//     lost its lease stops writing and a write cannot outlive the lease's renew deadline.
//     awsclient.NewS3 is the lease's and the spec source's S3 client: counted, never gated.
//   - Selectors. A repair of a trail's event selectors changes only what the monitor needs — KMS
//     management events logged, read and write — and keeps the user's data-event selectors as
//     they were (trail_selectors.go says how, and why ReadWriteType is never widened on a selector
//     that holds data resources).
//   - Trails are addressed by name, never by ARN: moto (5.2.x) fails Start/StopLogging given an ARN.
//   - Organization trails (trail_organization.go). spec.trail.organization sets
//     IsOrganizationTrail, and unset leaves it as found. kmswatch keeps the whole chain in the
//     account it runs in, so it manages an organization trail from the organization's management
//     account: CloudTrail's refusals elsewhere (no organization, not the management account,
//     trusted access off, missing permissions, …) become terminal errors that say what to fix, and
//     a trail of the desired name owned by another account is a conflict, never written.
//   - Pipelines. A pass also judges whether each Monitor's chain delivers (reconcile/pipeline):
//     GetTrailStatus's delivery errors of its trail and of the trails feeding its log group, the
//     state of a trail's KMS key, the log group's freshness, the heartbeat's switch. The reports
//     are Result.Pipelines; a broken one makes Result.Failed (exit 1), and its problems are
//     Warnings. They cost GetTrailStatus per feeding trail, kms:DescribeKey per trail key, and one
//     GetMetricData per region only while a Monitor needs it (pipeline.Judge).
//   - The heartbeat (heartbeat.go). spec.heartbeat adds the switch — a metric filter and an alarm
//     <name>-heartbeat, an alarm-kind item like any other, matching Env.Caller's heartbeats — whose
//     alarm is created only once armed. Controller.Heartbeat makes the call; the caller (the
//     daemon, --once) decides when.
package reconcile
