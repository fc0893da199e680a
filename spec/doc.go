// Package spec defines monitor.yaml (apiVersion kmswatch.dev/v1alpha1, kind Monitor): its types,
// strict loading, defaults applied in one place, and validation that reports every problem with
// its field path. Nothing in this package talks to AWS.
//
// # Contract
//
// Load (or LoadBytes) returns either a *File whose Monitors are decoded, defaulted (SetDefaults)
// and valid, with Warnings for what is valid but probably wrong; or an ErrorList holding every
// problem of every document, each a *FieldError with the file, the 1-based document number, the
// field path with the offending key (spec.alarms[0].thresold), the offending value and a message.
// ErrorList.Error prints one problem per line:
//
//	monitor.yaml: document 1: spec.alarms[1].period: must be 10s, 20s, 30s or a multiple of 60s, got 45s
//
// A file is a stream of documents separated by "---" lines; one without a Monitor document is
// invalid. Decoding is strict: unknown fields (with a did-you-mean), duplicate keys and wrong types
// are errors, and so is a YAML 1.1 boolean (y, no, off…) where a string belongs, since it almost
// always means an unquoted name. YAML merge keys (<<) are refused: the ordered decoder would drop
// the merged fields.
//
// Hostile input is bounded before and while decoding: files over MaxFileSize (1 MiB), nesting
// deeper than MaxDepth or indented past MaxIndent, more than MaxDocuments documents, and
// documents expanding past MaxNodes nodes (anchors and aliases; go.yaml.in/yaml/v2 also refuses
// "billion laughs" aliasing itself) all give a clear error; nothing panics.
//
// Validation follows AWS's own rules (docs/reference/aws-api.md §1): names of trails, log groups,
// metric filters, alarms and topics; alarm periods and their limits; CloudWatch Logs' retention
// values; SNS endpoints per protocol; role, principal, topic and key ARNs; filter-pattern syntax
// (via spec/pattern, with the error's offset); duplicates within a Monitor, and two Monitors of
// one file claiming the same resource in the same region.
//
// Alarm.Pattern is the filter pattern sent to AWS: filterPattern verbatim (CIS strings must stay
// byte-identical), or the match shorthand compiled to one canonical JSON pattern.
//
// spec.heartbeat is the dead man's switch (heartbeat.go): HeartbeatName, HeartbeatPattern (the
// filter counting exactly kmswatch's successful kms:ListAliases, every session of its role),
// HeartbeatEvent (a synthetic CloudTrail record of one heartbeat) and HeartbeatCounters (the
// Monitor's alarms that would count it, which validation warns about) are shared with the reconcile
// engine, so that the two agree on what a heartbeat is.
//
// ReadEvents, ReadEventFiles and Matcher back `kmswatch test`: which alarms' metric filters match
// which CloudTrail records, decided as CloudWatch Logs would.
//
// monitor.schema.json is the JSON Schema editors use while typing; a test keeps it equal to the
// Go types and to validation's enums.
package spec
