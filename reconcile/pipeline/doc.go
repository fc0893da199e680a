// Package pipeline judges whether a Monitor's chain delivers, from what a pass observed. Its rules
// (Evaluate, TrailStatus.CurrentErrors, Armed, NeedsEvents) are pure and table-tested; read.go
// holds the two reads only this judgement needs, behind narrow interfaces: Judge's one
// GetMetricData call per region, made only when a Monitor needs it, and DescribeKeyState.
//
// A chain whose every resource is in sync can still deliver nothing. Evaluate turns one
// Monitor's observations into a Report:
//
//   - Delivery health: the delivery and notification errors GetTrailStatus reports for the
//     Monitor's trail and for the trails that feed its log group (TrailStatus.CurrentErrors says
//     when an error is current and when a later success superseded it), and the state of each
//     such trail's KMS key. Each current error is a broken pipeline, reported with AWS's text
//     verbatim and what to fix.
//   - Ingestion freshness: the last time an event reached the log group (a feeding trail's
//     LatestCloudWatchLogsDeliveryTime, or AWS/Logs IncomingLogEvents). A log group fed by a
//     logging trail that received nothing for staleAfter is stale: a warning, not broken.
//   - The heartbeat's dead man's switch: its alarm in ALARM is a broken pipeline; not armed yet
//     (waiting for the first heartbeat) is said so.
//
// A Report's Status is live, stale, broken or unknown; Broken makes `kmswatch --once` exit 1. Its
// Line is the --once output line: "Pipeline/<name> live (last event 3m ago, heartbeat OK)".
//
// Armed decides when the switch's alarm may be created: only once a heartbeat has reached the log
// group, so that a new alarm — whose missing data counts as breaching — starts OK instead of
// crying wolf while CloudTrail takes its minutes to deliver the first one; or once the heartbeat's
// filter has waited longer than alarmAfter, when the alarm then fires for a pipeline that never
// delivered.
package pipeline
