package lease

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestCollector(t *testing.T) {
	h := newHarness(t)
	a, b := h.member("a"), h.member("b")
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	regA.MustRegister(a.e.Collector())
	regB.MustRegister(b.e.Collector())
	want := func(name string, reg *prometheus.Registry, leader, transitions float64) {
		t.Helper()
		got := gather(t, reg)
		if got["kmswatch_leader"] != leader || got["kmswatch_lease_transitions_total"] != transitions || len(got) != 2 {
			t.Fatalf("%s metrics = %v, want leader %v, transitions %v", name, got, leader, transitions)
		}
	}
	h.step(a)
	h.step(b)
	want("a", regA, 1, 0)
	want("b", regB, 0, 0)
	h.clock.advance(D) // a stops renewing
	h.step(b)
	want("a", regA, 0, 0)
	want("b", regB, 1, 1)
}

// gather returns each series' value by name.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch {
			case m.GetGauge() != nil:
				out[mf.GetName()] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				out[mf.GetName()] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func TestStatusJSON(t *testing.T) {
	h := newHarness(t)
	a, b := h.member("a", withSpec("sha256:aaa")), h.member("b")
	h.step(a)
	h.step(b)
	raw, err := json.Marshal(b.e.Status())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	since := h.clock.now().Format(time.RFC3339)
	if got["role"] != "standby" || got["holder"] != "a" || got["holderSpecDigest"] != "sha256:aaa" ||
		got["since"] != since || got["lease"] != "s3://kmswatch-state/prod/lease.json" {
		t.Fatalf("status JSON = %s", raw)
	}
}
