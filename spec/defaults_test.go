package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadAppliesDefaults(t *testing.T) {
	f, err := Load("testdata/good/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := f.Monitors[0]
	a := m.Spec.Alarms[0]
	tr := true
	want := Alarm{
		Name:              "key-deletion",
		FilterName:        "key-deletion",
		FilterPattern:     a.FilterPattern,
		Metric:            Metric{Namespace: "CISBenchmark", Name: "KMSKeyDeletion", Value: "1"},
		Statistic:         "Sum",
		Period:            a.Period,
		EvaluationPeriods: 1,
		DatapointsToAlarm: 1,
		Threshold:         a.Threshold,
		Comparison:        "GreaterThanOrEqualToThreshold",
		TreatMissingData:  "notBreaching",
		AlarmActions:      []string{"ops"},
		ActionsEnabled:    &tr,
		Ownership:         Ownership{DeletionPolicy: DeletionDelete},
	}
	if d := cmp.Diff(want, a); d != "" {
		t.Errorf("defaulted alarm (-want +got):\n%s", d)
	}
	if m.Spec.LogGroup.DeletionPolicy != DeletionRetain || m.Spec.Topics[0].DeletionPolicy != DeletionDelete {
		t.Errorf("deletion policies: log group %q topic %q", m.Spec.LogGroup.DeletionPolicy, m.Spec.Topics[0].DeletionPolicy)
	}
}

func TestSetDefaults(t *testing.T) {
	f := false
	m := Monitor{Spec: MonitorSpec{
		Trail: &Trail{Name: "t", LogFileValidation: &f},
		Alarms: []Alarm{
			{Name: "a", EvaluationPeriods: 5},
			{Name: "b", FilterName: "bf", EvaluationPeriods: 5, DatapointsToAlarm: 2, Statistic: "Maximum",
				TreatMissingData: "ignore", Metric: Metric{Value: "$.bytes"}, ActionsEnabled: &f,
				Ownership: Ownership{DeletionPolicy: DeletionRetain}},
		},
	}}
	SetDefaults(&m)
	again := m
	SetDefaults(&again)
	if d := cmp.Diff(m, again); d != "" {
		t.Errorf("SetDefaults is not idempotent:\n%s", d)
	}
	tr := m.Spec.Trail
	if !*tr.MultiRegion || *tr.LogFileValidation || tr.DeletionPolicy != DeletionRetain {
		t.Errorf("trail: multiRegion %v logFileValidation %v (explicit false must stay) policy %q", *tr.MultiRegion, *tr.LogFileValidation, tr.DeletionPolicy)
	}
	a, b := m.Spec.Alarms[0], m.Spec.Alarms[1]
	if a.DatapointsToAlarm != 5 || a.FilterName != "a" || a.Statistic != "Sum" || a.TreatMissingData != "notBreaching" || a.Metric.Value != "1" || !*a.ActionsEnabled {
		t.Errorf("alarm a not defaulted: %+v", a)
	}
	if b.DatapointsToAlarm != 2 || b.FilterName != "bf" || b.Statistic != "Maximum" || b.TreatMissingData != "ignore" ||
		b.Metric.Value != "$.bytes" || *b.ActionsEnabled || b.DeletionPolicy != DeletionRetain {
		t.Errorf("alarm b: explicit values overwritten: %+v", b)
	}
}
