// Package presets holds the named, versioned sets of alarms that a Monitor can include with
// spec.presets, and the catalogue of compliance controls they exist for.
//
// # Contract
//
// A preset version is immutable once released: its alarm names (which are also the metric
// filter names), metric names, filter patterns and alarm settings never change, because in every
// account that includes it a rename would be a delete and a create, and a changed pattern would
// change what auditors see. Changes ship as a new version; Lookup finds a version by name.
//
// cis-aws-foundations version "1" has one alarm per AWS Security Hub control CloudWatch.1 to
// CloudWatch.14, named cis-cloudwatch-<N>-<what> (cis-cloudwatch-7-cmk-disable-or-deletion),
// publishing CISBenchmark/<Name>. Each filter pattern is the text the Security Hub user guide
// publishes for the control, byte for byte: testdata/cis-cloudwatch.json records every text
// with its source, and a test keeps the two equal. Tests also run Prowler's and Steampipe's
// rules for these controls against the patterns, and check on CloudTrail records shaped like
// AWS's what each pattern counts compared with the control's other published texts.
//
// CISControls is the catalogue reconcile/audit checks an account against: per control, every
// published text (Control.Texts).
//
// This package has no dependency on spec: spec turns an Alarm into a spec.Alarm.
package presets
