package presets

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/spec/pattern"
)

// published is testdata/cis-cloudwatch.json: each control's filter pattern as Security Hub
// publishes it, and the control's other published texts, each with its source.
type published struct {
	Controls []struct {
		ID       string   `json:"id"`
		Title    string   `json:"title"`
		URL      string   `json:"url"`
		CIS      []string `json:"cis"`
		Pattern  string   `json:"pattern"`
		Variants []struct {
			Source string `json:"source"`
			URL    string `json:"url"`
			Text   string `json:"text"`
		} `json:"variants"`
	} `json:"controls"`
}

func loadPublished(t *testing.T) published {
	t.Helper()
	data, err := os.ReadFile("testdata/cis-cloudwatch.json")
	if err != nil {
		t.Fatal(err)
	}
	var p published
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPresetPatternsArePublishedText: the preset sends, for each control, exactly the bytes the
// Security Hub page publishes (as recorded in testdata), and the catalogue's other texts are the
// recorded ones. A typo, a "tidied" space or a reordered clause fails here.
func TestPresetPatternsArePublishedText(t *testing.T) {
	pub := loadPublished(t)
	controls := CISControls()
	if len(pub.Controls) != 14 || len(controls) != 14 {
		t.Fatalf("want 14 controls, testdata has %d, the catalogue %d", len(pub.Controls), len(controls))
	}
	preset, err := Lookup(CISName, "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(preset.Alarms) != 14 {
		t.Fatalf("preset has %d alarms, want 14", len(preset.Alarms))
	}
	for i, want := range pub.Controls {
		c, a := controls[i], preset.Alarms[i]
		if c.ID != want.ID || c.Title != want.Title || c.URL() != want.URL {
			t.Errorf("control %d: got %s %q %s, want %s %q %s", i, c.ID, c.Title, c.URL(), want.ID, want.Title, want.URL)
		}
		if d := cmp.Diff(want.CIS, c.CIS); d != "" {
			t.Errorf("%s: CIS mapping (-testdata +catalogue):\n%s", c.ID, d)
		}
		if c.Pattern != want.Pattern {
			t.Errorf("%s: catalogue pattern is not the published text\n got  %q\n want %q", c.ID, c.Pattern, want.Pattern)
		}
		if a.Control != want.ID || a.Pattern != want.Pattern {
			t.Errorf("%s: preset alarm %s (for %s) sends %q, want the published %q", want.ID, a.Name, a.Control, a.Pattern, want.Pattern)
		}
		var texts []string
		for _, v := range want.Variants {
			if v.Source == "" || !strings.HasPrefix(v.URL, "https://") {
				t.Errorf("%s: variant %q lacks its source", want.ID, v.Text)
			}
			texts = append(texts, v.Text)
		}
		if d := cmp.Diff(texts, c.Variants); d != "" {
			t.Errorf("%s: variants (-testdata +catalogue):\n%s", c.ID, d)
		}
		for _, text := range c.Texts() {
			p, err := pattern.Parse(text)
			if err != nil {
				t.Errorf("%s: published text %q does not parse: %v", c.ID, text, err)
			} else if p.Kind() != pattern.KindJSON {
				t.Errorf("%s: %q is a %v pattern, want JSON", c.ID, text, p.Kind())
			}
		}
	}
}

// TestPresetNamesAreStable pins every name the preset creates. Changing one renames a resource in
// every account that includes the preset — a delete and a create — so it takes a new version.
func TestPresetNamesAreStable(t *testing.T) {
	preset, err := Lookup(CISName, "1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range preset.Alarms {
		got = append(got, a.Control+" "+a.Name+" "+a.MetricNamespace+"/"+a.MetricName)
	}
	want := []string{
		"CloudWatch.1 cis-cloudwatch-1-root-user-usage CISBenchmark/RootUserUsage",
		"CloudWatch.2 cis-cloudwatch-2-unauthorized-api-calls CISBenchmark/UnauthorizedAPICalls",
		"CloudWatch.3 cis-cloudwatch-3-console-signin-without-mfa CISBenchmark/ConsoleSigninWithoutMFA",
		"CloudWatch.4 cis-cloudwatch-4-iam-policy-changes CISBenchmark/IAMPolicyChanges",
		"CloudWatch.5 cis-cloudwatch-5-cloudtrail-changes CISBenchmark/CloudTrailChanges",
		"CloudWatch.6 cis-cloudwatch-6-console-auth-failures CISBenchmark/ConsoleAuthenticationFailures",
		"CloudWatch.7 cis-cloudwatch-7-cmk-disable-or-deletion CISBenchmark/DisableOrDeleteCMK",
		"CloudWatch.8 cis-cloudwatch-8-s3-bucket-policy-changes CISBenchmark/S3BucketPolicyChanges",
		"CloudWatch.9 cis-cloudwatch-9-config-changes CISBenchmark/AWSConfigChanges",
		"CloudWatch.10 cis-cloudwatch-10-security-group-changes CISBenchmark/SecurityGroupChanges",
		"CloudWatch.11 cis-cloudwatch-11-nacl-changes CISBenchmark/NACLChanges",
		"CloudWatch.12 cis-cloudwatch-12-network-gateway-changes CISBenchmark/NetworkGatewayChanges",
		"CloudWatch.13 cis-cloudwatch-13-route-table-changes CISBenchmark/RouteTableChanges",
		"CloudWatch.14 cis-cloudwatch-14-vpc-changes CISBenchmark/VPCChanges",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("preset names changed (-pinned +now); a rename needs a new preset version:\n%s", d)
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup(CISName, "1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, version, want string }{
		{"cis", "1", `no preset named "cis" (presets: cis-aws-foundations)`},
		{CISName, "1.4.0", `preset cis-aws-foundations has no version "1.4.0" (versions: 1)`},
	} {
		_, err := Lookup(tc.name, tc.version)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Lookup(%q, %q) = %v, want %q", tc.name, tc.version, err, tc.want)
		}
	}
	if d := cmp.Diff([]string{CISName}, Names()); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff([]string{"1"}, AllVersions()); d != "" {
		t.Error(d)
	}
}
