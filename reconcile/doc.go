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
// the writes its steps bind); add its field to State and Actual (state.go); register it in kinds,
// in dependency order; add its Kind constant (ref.go) and its call to the narrow interfaces
// (clients.go) and to examples/iam-policy.json.
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
//   - Writes can be gated (ClientOptions.WriteGate): every attempt of every call that changes AWS
//     asks the gate first and is sent under the context it returns, which is how a leader that
//     lost its lease stops writing and a write cannot outlive the lease's renew deadline.
//     NewS3Client is the lease's and the spec source's S3 client: counted, never gated.
//   - Selectors. A repair of a trail's event selectors changes only what the monitor needs — KMS
//     management events logged, read and write — and keeps the user's data-event selectors as
//     they were (trail_selectors.go says how, and why ReadWriteType is never widened on a selector
//     that holds data resources).
//   - Trails are addressed by name, never by ARN: moto (5.2.x) fails Start/StopLogging given an ARN.
package reconcile
