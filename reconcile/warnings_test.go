package reconcile

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kmswatch/kmswatch/reconcile/selectors"
)

// TestPipelineWarnings: what keeps a converged pipeline from alerting anyone, decided from the
// desired State and what was observed alone.
func TestPipelineWarnings(t *testing.T) {
	const topicARN = "arn:aws:sns:r:1:alerts"
	lg := &LogGroup{Name: "lg", ARN: "arn:aws:logs:r:1:log-group:lg"}
	alarm := Alarm{Name: "a", AlarmActions: []string{topicARN}, ActionsEnabled: true}
	want := func(edit func(*State)) State {
		s := State{Monitor: "m", LogGroup: lg, Trail: &Trail{Name: "own"}, Topics: []Topic{{Name: "alerts", ARN: topicARN}}, Alarms: []Alarm{alarm}}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	confirmed := []Topic{{Name: "alerts", Subscriptions: []Subscription{{Protocol: "email", ARN: "arn:aws:sns:r:1:alerts:1"}}}}
	pending := []Topic{{Name: "alerts", Subscriptions: []Subscription{{Protocol: "email", Pending: true}}}}
	kmsAll := selectors.Management{Included: true, ReadWriteType: "All"}
	kmsOut := selectors.Management{Included: true, ReadWriteType: "All", ExcludedSources: []string{selectors.KMSSource}}
	cases := []struct {
		name string
		want State
		got  Actual
		ids  []string
	}{
		{"healthy", want(nil), Actual{Topics: confirmed}, nil},
		{"nobody confirmed", want(nil), Actual{Topics: pending}, []string{"Topic/alerts"}},
		{"topic not there yet", want(nil), Actual{}, []string{"Topic/alerts"}},
		{"actions disabled", want(func(s *State) { s.Alarms[0].ActionsEnabled = false }), Actual{Topics: confirmed}, []string{"Alarm/a"}},
		{"no trail feeds the log group", want(func(s *State) { s.Trail = nil }), Actual{Topics: confirmed}, []string{"LogGroup/lg"}},
		{"a foreign trail feeds it with KMS", want(func(s *State) { s.Trail = nil }),
			Actual{Topics: confirmed, Feeding: []Trail{{Name: "org", Management: kmsAll}}}, nil},
		{"a foreign trail drops KMS", want(nil),
			Actual{Topics: confirmed, Feeding: []Trail{{Name: "org", Management: kmsOut}}}, []string{"Trail/org"}},
		{"its own trail dropping KMS is repaired, not warned about", want(nil),
			Actual{Topics: confirmed, Feeding: []Trail{{Name: "own", Management: kmsOut}, {Name: "old", Management: kmsOut, Tags: ownedTags("m")}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ids []string
			for _, w := range pipelineWarnings(tc.want, tc.got) {
				ids = append(ids, w.ID)
				if w.Message == "" {
					t.Errorf("%s: no message", w.ID)
				}
			}
			if d := cmp.Diff(tc.ids, ids); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
		})
	}
}
