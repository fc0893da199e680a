// Package audit checks an AWS account, read-only, against AWS Security Hub's controls
// CloudWatch.1 to CloudWatch.14 — the monitoring section of the CIS AWS Foundations Benchmark —
// whether kmswatch manages the account or not.
//
// # Contract
//
// Run reads each region once through narrow interfaces with the SDK's signatures (DescribeTrails,
// GetTrailStatus, GetEventSelectors, DescribeMetricFilters, DescribeAlarms,
// ListSubscriptionsByTopic; nothing else, and no write) and decides each control as the Security
// Hub user guide documents it. A control passes when a region holds the whole chain:
//
//   - a trail homed in the region, multi-region, logging, logging every management event (read
//     and write, no event source excluded), and delivering to a CloudWatch Logs log group;
//   - a metric filter in that log group whose pattern is one of the control's published texts
//     (spec/presets), compared as Security Hub compares it: whitespace outside quoted values
//     aside, everything else exact (compare.go says why);
//   - an alarm on the metric that filter publishes (same namespace and name);
//   - an SNS topic among the alarm's actions with at least one confirmed subscription: a real
//     subscription ARN, not PendingConfirmation.
//
// The Report has one Row per control with its status (PASS, FAIL, ERROR when a read failed),
// the reason — for a failure, how far the chain got and where it broke — and the chain's
// resources. Trails homed in another region or owned by another account (an organization
// trail seen from a member) are named in the reason, as Security Hub reports those NO_DATA
// where it is not their home. ExitCode maps a Report to `kmswatch audit`'s exit codes: 0 all
// pass, 2 some fail, 1 some could not be read. WriteText and WriteJSON render it.
package audit
