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
// Validation follows AWS's own rules, as the API references state them: names of trails, log groups,
// metric filters, alarms and topics; alarm periods and their limits; CloudWatch Logs' retention
// values; SNS endpoints per protocol; role, principal, topic and key ARNs; filter-pattern syntax
// (via spec/pattern, with the error's offset); duplicates within a Monitor, and two Monitors of
// one file claiming the same resource in the same region.
//
// # Endpoints and secrets
//
// A subscription's endpoint is written in the file (endpoint) or read from an environment
// variable when the file is loaded (endpointFrom: {env: NAME}), exactly one of the two. The
// variable is read through LoadOptions.LookupEnv (os.LookupEnv by default); unset or empty, it
// is an error naming the field and the variable, or a warning under LoadOptions.AllowUnsetEnv
// (offline validation). The value lands in Subscription.Resolved, a Secret that prints, and
// marshals to JSON and YAML, only in its display form; the Monitor keeps the form the file used,
// so a printed spec never holds the value. Subscription.Target is the endpoint to subscribe,
// Subscription.Display the one to print.
//
// No problem this package reports shows a secret: validation names endpoints by their display
// form (spec/redact.Endpoint), and every value reported at a subscription's path that could be
// a URL or a token is shown as its display form too, whatever put it there.
//
// Alarm.Pattern is the filter pattern sent to AWS: filterPattern verbatim (CIS strings must stay
// byte-identical), or the match shorthand compiled to one canonical JSON pattern. match.accounts
// compiles to $.recipientAccountId clauses, compared as text.
//
// # Presets
//
// spec.presets includes named, versioned sets of alarms from spec/presets. Validation checks each
// entry at its field path (unknown preset or version, unknown alarm in overrides or exclude, bad
// override values, actions naming no topic, a preset alarm whose name one of the Monitor's own
// alarms or filters already has, two Monitors of a file claiming them in one region). Load then
// expands every entry into ordinary alarms appended to spec.alarms, under the preset's stable
// names and with its pattern verbatim, and clears spec.presets: what the controller receives has
// no presets left, so it needs nothing new for them. Validate checks presets without expanding
// them; ExpandPresets does that for Monitors built in code.
//
// spec.trail.organization sets IsOrganizationTrail: true and false are kept as written, and
// unset means the controller leaves IsOrganizationTrail as it finds it (SetDefaults does not
// default it), since switching it changes what every account of an organization logs.
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
