package daemon

import (
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/reconcile"
)

// TestStatusKeepsRegionsApart: the same id in two regions is two resources, each with its own
// last change.
func TestStatusKeepsRegionsApart(t *testing.T) {
	b := newStatusBook(nil)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	res := &reconcile.Result{Changes: []reconcile.Change{
		{ID: "Alarm/a", Kind: reconcile.KindAlarm, Name: "a", Action: reconcile.ActionCreate, Applied: true},
		{ID: "Alarm/a", Kind: reconcile.KindAlarm, Name: "a", Action: reconcile.ActionDelete, Applied: true, Region: "us-east-1"},
	}}
	b.passDone(PassStatus{ReconcileID: "p1"}, res, nil, false, false, t0)
	st := b.snapshot()
	if len(st.Resources) != 2 {
		t.Fatalf("resources %+v", st.Resources)
	}
	home, east := st.Resources[0], st.Resources[1]
	if home.Region != "" || east.Region != "us-east-1" {
		t.Errorf("regions %q %q", home.Region, east.Region)
	}
	if home.LastChange == nil || home.LastChange.Action != reconcile.ActionCreate ||
		east.LastChange == nil || east.LastChange.Action != reconcile.ActionDelete {
		t.Errorf("last changes mixed up: %+v / %+v", home.LastChange, east.LastChange)
	}
}
