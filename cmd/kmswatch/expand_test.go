package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/presets"
)

// TestValidateExpand: `validate --expand` prints YAML that loads back to exactly the Monitors
// Load gives — presets expanded, defaults set — with every preset pattern on one line, byte for
// byte, and keeps stdout for the YAML (the summary goes to stderr).
func TestValidateExpand(t *testing.T) {
	for _, file := range []string{"../../spec/testdata/good/presets.yaml", "../../spec/testdata/good/multi.yaml", "../../examples/cis-aws-foundations.yaml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			code, out, errs := runCmd(t, "validate", "-f", file, "--expand")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if !strings.Contains(errs, file+": valid: ") || strings.Contains(out, ": valid: ") {
				t.Errorf("the summary belongs on stderr: stdout %q, stderr %q", out, errs)
			}
			if strings.Contains(out, "presets:") {
				t.Error("expanded output still has spec.presets")
			}
			want, err := spec.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			printed := filepath.Join(t.TempDir(), "expanded.yaml")
			if err := os.WriteFile(printed, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := spec.Load(printed)
			if err != nil {
				t.Fatalf("the expanded output does not load:\n%v\n%s", err, out)
			}
			if d := cmp.Diff(want.Monitors, got.Monitors); d != "" {
				t.Errorf("Monitors after a round trip through --expand (-loaded +reloaded):\n%s", d)
			}
			for _, m := range want.Monitors {
				for _, a := range m.Spec.Alarms {
					if a.FilterPattern != "" && !strings.Contains(out, a.FilterPattern) {
						t.Errorf("alarm %s: pattern %q is not printed as one unbroken line", a.Name, a.FilterPattern)
					}
				}
			}
		})
	}
	if _, out, _ := runCmd(t, "validate", "-f", "../../examples/cis-aws-foundations.yaml", "--expand"); strings.Count(out, "name: cis-cloudwatch-") != len(presets.CISControls()) {
		t.Errorf("want one alarm per CIS control in the expanded example:\n%s", out)
	}
}
