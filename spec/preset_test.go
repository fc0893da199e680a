package spec

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/spec/pattern"
	"github.com/kmswatch/kmswatch/spec/presets"
)

// TestPresetExpansion: Load turns the preset into ordinary alarms after the Monitor's own, in the
// preset's order, with the preset's names and patterns, the overrides applied and the excluded
// alarm left out; nothing of spec.presets is left for the controller to know about.
func TestPresetExpansion(t *testing.T) {
	f, err := Load("testdata/good/presets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := f.Monitors[0].Spec
	if s.Presets != nil {
		t.Errorf("spec.presets left after Load: %+v", s.Presets)
	}
	preset, err := presets.Lookup(presets.CISName, "1")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	want = append(want, "prod-kms-denied")
	for _, a := range preset.Alarms {
		if a.Name != "cis-cloudwatch-3-console-signin-without-mfa" {
			want = append(want, a.Name)
		}
	}
	var got []string
	byName := map[string]Alarm{}
	for _, a := range s.Alarms {
		got = append(got, a.Name)
		byName[a.Name] = a
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("alarms (-want +got):\n%s", d)
	}

	plain := byName["cis-cloudwatch-7-cmk-disable-or-deletion"]
	def, _ := preset.Alarm(plain.Name)
	summary := func(a Alarm) string {
		return strings.Join([]string{a.FilterName, a.Pattern(), a.Metric.Namespace, a.Metric.Name, a.Metric.Value, fmtFloat(*a.Metric.DefaultValue),
			a.Statistic, FormatDuration(a.Period.Duration), strconv.Itoa(a.EvaluationPeriods), strconv.Itoa(a.DatapointsToAlarm), fmtFloat(*a.Threshold),
			a.Comparison, a.TreatMissingData, strings.Join(a.AlarmActions, ","), string(a.DeletionPolicy)}, " | ")
	}
	wantPlain := strings.Join([]string{plain.Name, def.Pattern, "CISBenchmark", "DisableOrDeleteCMK", "1", "0",
		"Sum", "5m", "1", "1", "1", "GreaterThanOrEqualToThreshold", "notBreaching", "secops", "Delete"}, " | ")
	if got := summary(plain); got != wantPlain {
		t.Errorf("plain preset alarm:\n got  %s\n want %s", got, wantPlain)
	}
	if plain.Pattern() != def.Pattern || plain.Match != nil {
		t.Errorf("a preset alarm must send the preset's pattern verbatim, sends %q", plain.Pattern())
	}

	tuned := byName["cis-cloudwatch-2-unauthorized-api-calls"]
	if got := []string{fmtFloat(*tuned.Threshold), FormatDuration(tuned.Period.Duration), strconv.Itoa(tuned.EvaluationPeriods), strconv.Itoa(tuned.DatapointsToAlarm)}; !cmp.Equal(got, []string{"10", "10m", "2", "1"}) {
		t.Errorf("overridden threshold, period, evaluationPeriods, datapointsToAlarm: %v", got)
	}
	routed := byName["cis-cloudwatch-10-security-group-changes"]
	if got := strings.Join(routed.AlarmActions, ",") + " " + routed.TreatMissingData; got != "secops,network-team ignore" {
		t.Errorf("overridden alarmActions and treatMissingData: %s", got)
	}
	// Overrides of one alarm leave the others alone.
	if a := byName["cis-cloudwatch-1-root-user-usage"]; *a.Threshold != 1 || a.TreatMissingData != "notBreaching" {
		t.Errorf("an alarm without override changed: %+v", a)
	}
}

// TestExpandedMonitorValidates: what Load returns validates again as it is (no preset is
// expanded twice), and validating then expanding a Monitor built in code gives what Load gives.
func TestExpandedMonitorValidates(t *testing.T) {
	f, err := Load("testdata/good/presets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if errs, _ := Validate(f.Monitors); len(errs) > 0 {
		t.Fatalf("a loaded Monitor does not validate again:\n%v", errs)
	}
	m := f.Monitors[0]
	built := Monitor{APIVersion: m.APIVersion, Kind: m.Kind, Metadata: m.Metadata, Spec: m.Spec}
	built.Spec.Alarms = built.Spec.Alarms[:1]
	one := 1.0
	built.Spec.Presets = []PresetRef{{Name: presets.CISName, Version: "1", AlarmActions: []string{"secops"},
		Exclude:   []string{"cis-cloudwatch-3-console-signin-without-mfa"},
		Overrides: map[string]PresetOverride{"cis-cloudwatch-2-unauthorized-api-calls": {Threshold: &one}}}}
	if errs, _ := Validate([]Monitor{built}); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	ExpandPresets(&built)
	if len(built.Spec.Alarms) != len(m.Spec.Alarms) || built.Spec.Presets != nil {
		t.Fatalf("ExpandPresets gave %d alarms, Load %d", len(built.Spec.Alarms), len(m.Spec.Alarms))
	}
	if *built.Spec.Alarms[2].Threshold != 1 {
		t.Errorf("override not applied: %v", *built.Spec.Alarms[2].Threshold)
	}
}

// TestPresetClaimedOncePerRegion: two Monitors of one file including the preset in one region
// would fight over the same alarm names; in two regions they do not.
func TestPresetClaimedOncePerRegion(t *testing.T) {
	doc := func(name, region string) string {
		return `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: ` + name + `}
spec:
  region: ` + region + `
  logGroup: {name: ` + name + `-logs}
  topics: [{name: ` + name + `-secops}]
  presets: [{name: cis-aws-foundations, version: "1", alarmActions: [` + name + `-secops]}]
`
	}
	_, err := LoadBytes([]byte(doc("a", "us-east-1")+"---\n"+doc("b", "us-east-1")), "two.yaml")
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("want one problem for the preset, got %v", err)
	}
	if got := list[0].Error(); got != `two.yaml: document 2: spec.presets[0]: its alarms (cis-cloudwatch-1-root-user-usage and 13 more) are already claimed by Monitor "a" (document 1); two Monitors would undo each other's changes` {
		t.Errorf("got %q", got)
	}
	if _, err := LoadBytes([]byte(doc("a", "us-east-1")+"---\n"+doc("b", "eu-west-1")), "two.yaml"); err != nil {
		t.Errorf("one preset per region: %v", err)
	}
}

// TestPresetWarnings: a preset nobody is told about, and one that excludes everything, are valid
// but warned about, once each.
func TestPresetWarnings(t *testing.T) {
	all := `[` + strings.Join(mustPreset(t).AlarmNames(), ", ") + `]`
	f, err := LoadBytes([]byte(`apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: quiet}
spec:
  logGroup: {name: quiet-logs}
  presets:
    - {name: cis-aws-foundations, version: "1"}
---
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: empty}
spec:
  region: eu-west-1
  logGroup: {name: empty-logs}
  presets:
    - {name: cis-aws-foundations, version: "1", exclude: `+all+`}
`), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range f.Warnings {
		got = append(got, w.Error())
	}
	want := []string{
		"w.yaml: document 1: spec.presets[0].alarmActions: the preset's alarms have no alarm actions: they change state in the console but tell no one",
		"w.yaml: document 2: spec.presets[0].exclude: excludes every alarm of the preset, which then adds nothing",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("warnings (-want +got):\n%s", d)
	}
	if n := len(f.Monitors[1].Spec.Alarms); n != 0 {
		t.Errorf("a preset excluding everything expanded to %d alarms", n)
	}
}

func mustPreset(t *testing.T) *presets.Preset {
	t.Helper()
	p, err := presets.Lookup(presets.CISName, "1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMatchAccounts: match.accounts compiles to $.recipientAccountId clauses that select events
// by the account they happened in, compared as text (leading zeros kept).
func TestMatchAccounts(t *testing.T) {
	a := Alarm{Match: &Match{EventSource: "kms.amazonaws.com", Accounts: []string{"012345678901", "444455556666"}}}
	want := `{ ($.eventSource = "kms.amazonaws.com") && (($.recipientAccountId = "012345678901") || ($.recipientAccountId = "444455556666")) }`
	if got := a.Pattern(); got != want {
		t.Fatalf("pattern:\n got  %s\n want %s", got, want)
	}
	single := Alarm{Match: &Match{Accounts: []string{"444455556666"}}}
	if got := single.Pattern(); got != `{ ($.recipientAccountId = "444455556666") }` {
		t.Errorf("one account: %s", got)
	}
	p, err := pattern.Parse(a.Pattern())
	if err != nil {
		t.Fatal(err)
	}
	event := func(account string) string {
		return `{"eventVersion":"1.09","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1",` +
			`"userIdentity":{"type":"AssumedRole","accountId":"` + account + `"},"recipientAccountId":"` + account + `"}`
	}
	for account, want := range map[string]bool{"012345678901": true, "444455556666": true, "12345678901": false, "111122223333": false} {
		if got := p.Match(event(account)); got != want {
			t.Errorf("event in account %s: match %v, want %v", account, got, want)
		}
	}
	dup := Monitor{APIVersion: APIVersion, Kind: KindMonitor, Metadata: Metadata{Name: "acc"},
		Spec: MonitorSpec{LogGroup: LogGroup{Name: "g"}, Alarms: []Alarm{{Name: "x", Match: &Match{Accounts: []string{"444455556666", "444455556666"}},
			Metric: Metric{Namespace: "N", Name: "M"}, Period: Duration{60e9}, Threshold: new(float64), Comparison: "GreaterThanThreshold"}}}}
	SetDefaults(&dup) // Validate expects what Load leaves: the defaults set
	if errs, _ := Validate([]Monitor{dup}); len(errs) != 1 ||
		errs[0].Path != "spec.alarms[0].match.accounts[1]" || !strings.Contains(errs[0].Msg, "duplicate account (also accounts[0])") {
		t.Errorf("duplicate account: %v", errs)
	}
}

// TestOrganizationTrail: spec.trail.organization is kept as written, with no warning (the
// controller manages organization trails), and not defaulted when unset.
func TestOrganizationTrail(t *testing.T) {
	f, err := LoadBytes([]byte(`apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: org}
spec:
  trail:
    name: org-trail
    s3BucketName: org-trail-bucket
    cloudWatchLogsRoleArn: arn:aws:iam::111122223333:role/CloudTrailToLogs
    organization: true
  logGroup: {name: org-logs}
`), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !*f.Monitors[0].Spec.Trail.Organization {
		t.Error("organization not kept")
	}
	if len(f.Warnings) != 0 {
		t.Errorf("warnings: %v", f.Warnings)
	}
	m := f.Monitors[0]
	m.Spec.Trail.Organization = nil
	SetDefaults(&m)
	if m.Spec.Trail.Organization != nil {
		t.Error("organization defaulted: unset must stay unset (the controller leaves it as it finds it)")
	}
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
