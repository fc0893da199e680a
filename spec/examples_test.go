package spec_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kmswatch/kmswatch/spec"
)

// TestExamplesLoad: every examples/*.yaml loads and validates, and says which schema it uses.
func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		if _, err := spec.Load(f); err != nil {
			t.Errorf("%s:\n%v", f, err)
		}
	}
}

// TestLabExampleIsFaithful pins the values of the Well-Architected lab that examples/monitor.yaml
// reproduces, and the warnings that explain two of them.
func TestLabExampleIsFaithful(t *testing.T) {
	f, err := spec.Load("../examples/monitor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := f.Monitors[0].Spec
	a := m.Alarms[0]
	got := []string{
		m.Region, m.Trail.Name, boolText(*m.Trail.MultiRegion), boolText(*m.Trail.LogFileValidation),
		m.LogGroup.Name, itoa(m.LogGroup.RetentionInDays),
		a.FilterPattern, a.Metric.Namespace, a.Metric.Name, a.Metric.Value,
		a.Name, a.Statistic, spec.FormatDuration(a.Period.Duration), itoa(a.EvaluationPeriods), ftoa(*a.Threshold), a.Comparison, a.TreatMissingData,
		strings.Join(a.AlarmActions, ","), m.Topics[0].Name, m.Topics[0].Subscriptions[0].Protocol,
	}
	want := []string{
		"ap-southeast-2", "pattern1-logging-trail", "false", "true",
		"pattern1-logging-loggroup", "7",
		`{ $.errorCode = "*" && $.eventSource= "kms.amazonaws.com" && $.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::111122223333:role/pattern1-app-Pattern1ECSTaskRole" }`,
		"Pattern1Application/KMSSecurity", "KMSSecurityError", "1",
		"pattern1-logging-alarm", "Sum", "10s", "1", "1", "GreaterThanThreshold", "ignore",
		"pattern1-logging-topic", "pattern1-logging-topic", "email",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("lab values (-want +got):\n%s", d)
	}
	if a.Pattern() != a.FilterPattern {
		t.Errorf("filterPattern must go to AWS verbatim, Pattern() = %q", a.Pattern())
	}
	var paths []string
	for _, w := range f.Warnings {
		paths = append(paths, w.Path)
	}
	wantWarn := []string{"spec.trail.multiRegion", "spec.topics[0].subscriptions[0].endpoint", "spec.alarms[0].period"}
	if d := cmp.Diff(wantWarn, paths); d != "" {
		t.Errorf("warnings (-want +got):\n%s", d)
	}
}

// TestExamplesMatchEvents runs each example against examples/events and checks which alarms
// count which event: the table is what each example is meant to catch.
func TestExamplesMatchEvents(t *testing.T) {
	events, err := spec.ReadEventFiles([]string{"../examples/events"})
	if err != nil {
		t.Fatal(err)
	}
	// The events, in the order ReadEventFiles reads the directory.
	wantNames := []string{
		"Decrypt", "Decrypt", "GenerateDataKey", "Encrypt", "Decrypt", "Decrypt", // app-kms.json
		"StopLogging", "PutEventSelectors", "UpdateTrail", "DescribeTrails", // cloudtrail-changes.jsonl
		"DisableKey", "ScheduleKeyDeletion", "EnableKey", "ListAliases", // key-admin.json
	}
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
	}
	if d := cmp.Diff(wantNames, names); d != "" {
		t.Fatalf("events (-want +got):\n%s", d)
	}
	const (
		lab   = "pattern1-logging-alarm"
		surge = "kms-decrypt-surge"
		cmk   = "cis-kms-key-disabled-or-deleted"
		trail = "cis-cloudtrail-changes"
		sel   = "cloudtrail-selectors-changed"
		deny  = "kms-calls-denied"
	)
	cases := map[string]map[int][]string{
		// The task role's failed calls, whatever the error; not other roles', not successes.
		"monitor.yaml": {0: {lab}, 3: {lab}},
		// Successful Decrypt and GenerateDataKey by anyone; failures and other calls not.
		"exfiltration.yaml": {1: {surge}, 2: {surge}, 5: {surge}},
		// Denials (the lab's InvalidCiphertextException is not one), trail changes, key disabling.
		"cis-kms.yaml": {3: {deny}, 4: {deny}, 6: {trail}, 7: {sel}, 8: {trail}, 10: {cmk}, 11: {cmk}},
	}
	for file, want := range cases {
		f, err := spec.Load("../examples/" + file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := spec.NewMatcher(f.Monitors)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range m.MatchEvents(events) {
			w := want[r.Index]
			if w == nil {
				w = []string{}
			}
			if d := cmp.Diff(w, r.Matches); d != "" {
				t.Errorf("%s, event %d (%s): matches (-want +got):\n%s", file, r.Index, r.EventName, d)
			}
		}
	}
}

func boolText(b bool) string { return strconv.FormatBool(b) }

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
