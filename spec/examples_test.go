package spec_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/presets"
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
		// security-hub-cis.jsonl: one event of each kind CloudWatch.1 to .14 is about, in order.
		"CreateAccessKey", "RunInstances", "ConsoleLogin", "PutRolePolicy", "DeleteTrail", "ConsoleLogin", "ScheduleKeyDeletion",
		"PutBucketPolicy", "StopConfigurationRecorder", "AuthorizeSecurityGroupIngress", "CreateNetworkAclEntry",
		"AttachInternetGateway", "CreateRoute", "CreateVpc",
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
		cw2   = "cis-cloudwatch-2-unauthorized-api-calls"
		cw5   = "cis-cloudwatch-5-cloudtrail-changes"
		cw7   = "cis-cloudwatch-7-cmk-disable-or-deletion"
	)
	cases := map[string]map[int][]string{
		// The task role's failed calls, whatever the error; not other roles', not successes.
		"monitor.yaml": {0: {lab}, 3: {lab}},
		// Successful Decrypt and GenerateDataKey by anyone; failures and other calls not.
		"exfiltration.yaml": {1: {surge}, 2: {surge}, 5: {surge}},
		// Denials (the lab's InvalidCiphertextException is not one), trail changes, key disabling;
		// of the CIS events, the deleted trail and the key scheduled for deletion.
		"cis-kms.yaml": {3: {deny}, 4: {deny}, 6: {trail}, 7: {sel}, 8: {trail}, 10: {cmk}, 11: {cmk}, 18: {trail}, 20: {cmk}},
		// The preset: the same denials (CloudWatch.2 counts AccessDenied* from every service),
		// trail changes and key disabling; PutEventSelectors is in no CIS control.
		"cis-aws-foundations.yaml": {3: {cw2}, 4: {cw2}, 6: {cw5}, 8: {cw5}, 10: {cw7}, 11: {cw7}},
	}
	// The preset counts each CIS event with exactly its control's alarm.
	for i, c := range presets.CISControls() {
		cases["cis-aws-foundations.yaml"][14+i] = []string{c.AlarmName()}
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

// TestExampleCISPatternsArePublished: wherever an example names a Security Hub control next to
// an alarm, that alarm's filter sends the control's pattern exactly as Security Hub publishes it.
func TestExampleCISPatternsArePublished(t *testing.T) {
	published := map[string]string{}
	for _, c := range presets.CISControls() {
		published[c.ID] = c.Pattern
	}
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := spec.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		// "Security Hub CloudWatch.7" in a comment, then the alarm it is about.
		comments := regexp.MustCompile(`(?m)^\s*#.*Security Hub (CloudWatch\.\d+).*\n\s*- name: (\S+)`).FindAllStringSubmatch(string(data), -1)
		for _, m := range comments {
			for _, mon := range f.Monitors {
				for _, a := range mon.Spec.Alarms {
					if a.Name == m[2] {
						checked++
						if a.Pattern() != published[m[1]] {
							t.Errorf("%s: alarm %s (%s) sends %q; Security Hub publishes %q", file, a.Name, m[1], a.Pattern(), published[m[1]])
						}
					}
				}
			}
		}
		for _, mon := range f.Monitors {
			for _, a := range mon.Spec.Alarms {
				if strings.HasPrefix(a.Name, "cis-cloudwatch-") {
					checked++
					if id := "CloudWatch." + strings.Split(a.Name, "-")[2]; a.Pattern() != published[id] {
						t.Errorf("%s: preset alarm %s sends %q; Security Hub publishes %q for %s", file, a.Name, a.Pattern(), published[id], id)
					}
				}
			}
		}
	}
	if checked != 16 {
		t.Errorf("checked %d alarms, want 16 (2 in cis-kms.yaml, 14 in cis-aws-foundations.yaml)", checked)
	}
}

func boolText(b bool) string { return strconv.FormatBool(b) }

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
