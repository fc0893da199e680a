package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadEvents(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string // event names
		wantMsg  string   // the first event's message, when checked
		err      string
	}{
		{name: "CloudTrail file", in: `{"Records":[{"eventName":"Decrypt"},{"eventName":"Encrypt"}]}`, want: []string{"Decrypt", "Encrypt"}},
		{name: "JSON lines", in: "{\"eventName\":\"Decrypt\"}\n{\"eventName\":\"DisableKey\"}\n", want: []string{"Decrypt", "DisableKey"}},
		{name: "concatenated objects", in: `{"eventName":"A"} {"eventName":"B"}`, want: []string{"A", "B"}},
		{name: "array", in: `[{"eventName":"A"},{"eventName":"B"}]`, want: []string{"A", "B"}},
		{name: "several CloudTrail files", in: `{"Records":[{"eventName":"A"}]}` + "\n" + `{"Records":[{"eventName":"B"}]}`, want: []string{"A", "B"}},
		{name: "empty Records", in: `{"Records":[]}`, want: nil},
		{name: "empty input", in: "  \n", want: nil},
		{name: "no eventName", in: `{"x":1}`, want: []string{""}},
		{name: "pretty-printed record is compacted", in: "{\n  \"eventName\": \"Decrypt\",\n  \"errorCode\": \"AccessDenied\"\n}", want: []string{"Decrypt"},
			wantMsg: `{"eventName":"Decrypt","errorCode":"AccessDenied"}`},
		{name: "not an object", in: `{"Records":[1]}`, err: "event 0: a CloudTrail record must be a JSON object"},
		{name: "a bare string", in: `"Decrypt"`, err: "must be a JSON object"},
		{name: "broken JSON", in: `{"eventName":"A"}` + "\n{\"eventName\":", err: "after 1 events"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := ReadEvents(strings.NewReader(tc.in), "in.json")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "in.json") {
					t.Fatalf("want an error naming in.json and %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i, e := range evs {
				names = append(names, e.Name)
				if e.Position != i || e.Source != "in.json" {
					t.Errorf("event %d: source %q position %d", i, e.Source, e.Position)
				}
			}
			if d := cmp.Diff(tc.want, names); d != "" {
				t.Errorf("names (-want +got):\n%s", d)
			}
			if tc.wantMsg != "" && evs[0].Message != tc.wantMsg {
				t.Errorf("message %q, want %q", evs[0].Message, tc.wantMsg)
			}
		})
	}
}

func TestMatcher(t *testing.T) {
	f, err := Load("testdata/good/multi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMatcher(f.Monitors)
	if err != nil {
		t.Fatal(err)
	}
	lines := `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt"}
{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"AccessDeniedException"}
{"eventSource":"kms.amazonaws.com","eventName":"Encrypt","errorCode":"Client.UnauthorizedOperation"}
{"eventSource":"s3.amazonaws.com","eventName":"GetObject","errorCode":"AccessDenied"}`
	evs, err := ReadEvents(strings.NewReader(lines), "e.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	got := m.MatchEvents(evs)
	want := []EventMatch{
		{0, "Decrypt", []string{"team-b-decrypts"}},
		{1, "Decrypt", []string{"team-a-denied"}},
		{2, "Encrypt", []string{"team-a-denied"}},
		{3, "GetObject", []string{}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// FuzzReadEvents: any input gives events or an error, never a panic, and every event's message
// is a JSON object.
func FuzzReadEvents(f *testing.F) {
	for _, s := range []string{`{"Records":[{"eventName":"Decrypt"}]}`, "{\"a\":1}\n{\"b\":2}\n", `[{"eventName":1}]`, `{"Records":null}`, `{"Records":[[]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := ReadEvents(strings.NewReader(string(data)), "f.json")
		if err != nil {
			return
		}
		for _, e := range evs {
			if !strings.HasPrefix(e.Message, "{") {
				t.Fatalf("event message is not an object: %q", e.Message)
			}
		}
	})
}
