package reconcile

import (
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/spec"
)

const twoMonitors = `apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: one}
spec:
  logGroup: {name: one-lg}
  alarms:
    - name: one-alarm
      filterPattern: '{ $.eventSource = "kms.amazonaws.com" }'
      metric: {namespace: KMSWatch/Test, name: Errors}
      period: 60s
      threshold: 1
      comparison: GreaterThanOrEqualToThreshold
---
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: two}
spec:
  logGroup: {name: two-lg}
`

func digests(t *testing.T, text string) map[string]string {
	t.Helper()
	f, err := spec.LoadBytes([]byte(text), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range f.Monitors {
		out[m.Metadata.Name] = SpecDigest(m)
	}
	return out
}

// SpecDigest is per Monitor and of the defaulted spec: editing one Monitor leaves the other's
// digest alone, and writing a default out changes nothing.
func TestSpecDigest(t *testing.T) {
	base := digests(t, twoMonitors)
	if len(base["one"]) != 16 || base["one"] == base["two"] {
		t.Fatalf("digests %v", base)
	}
	edited := digests(t, strings.Replace(twoMonitors, "threshold: 1", "threshold: 5", 1))
	if edited["one"] == base["one"] || edited["two"] != base["two"] {
		t.Errorf("editing one: %v, was %v", edited, base)
	}
	explicit := digests(t, strings.Replace(twoMonitors, "      threshold: 1\n", "      threshold: 1\n      statistic: Sum\n      evaluationPeriods: 1\n", 1))
	if explicit["one"] != base["one"] {
		t.Errorf("defaults written out changed the digest: %v, was %v", explicit, base)
	}
}
