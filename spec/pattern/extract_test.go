package pattern

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtract(t *testing.T) {
	for _, tc := range []struct {
		name, pattern, event string
		wantMatch            bool
		want                 map[string]string
	}{
		{
			// The AWS docs' own example (FilterAndPatternSyntax.md): fields under
			// "..." and the unnamed slot after the trailing comma are positional.
			name:      "docs example",
			pattern:   `[..., request=*.html*, status_code=4*,]`,
			event:     apache404,
			wantMatch: true,
			want: map[string]string{
				"$status_code": "404", "$request": "GET /products/index.html HTTP/1.0",
				"$7": "1534", "$4": "10/Oct/2000:13:25:15 -0700", "$3": "frank", "$2": "-", "$1": "127.0.0.1",
			},
		},
		{
			name:      "all named",
			pattern:   `[ip, user, username, timestamp, request, status_code, bytes]`,
			event:     apache200,
			wantMatch: true,
			want: map[string]string{
				"$ip": "127.0.0.1", "$user": "-", "$username": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
				"$request": "GET /apache_pb.gif HTTP/1.0", "$status_code": "200", "$bytes": "1534",
			},
		},
		{
			name:      "middle ellipsis",
			pattern:   `[ip, ..., bytes > 5000]`,
			event:     apache500,
			wantMatch: true,
			want: map[string]string{
				"$ip": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:35:22 -0700",
				"$5": "GET /apache_pb.gif HTTP/1.0", "$6": "500", "$bytes": "5324",
			},
		},
		{name: "no match", pattern: `[ip, ..., bytes > 5000]`, event: apache200},
		{name: "too few fields", pattern: `[a, b, ..., c, d]`, event: "1 2 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			m, got := p.Extract(NewEvent(tc.event))
			if m != tc.wantMatch {
				t.Fatalf("matched = %v, want %v", m, tc.wantMatch)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	// Other kinds match but extract nothing.
	p, _ := Parse(labPattern)
	if m, f := p.Extract(NewEvent(mustRead("kms_decrypt_access_denied"))); !m || f != nil {
		t.Errorf("JSON Extract = %v, %v; want true, nil", m, f)
	}
}

func TestLookup(t *testing.T) {
	e := NewEvent(mustRead("kms_schedule_key_deletion"))
	for _, tc := range []struct {
		sel, want string
		ok        bool
	}{
		{"$.eventName", "ScheduleKeyDeletion", true},
		{"$.requestParameters.pendingWindowInDays", "20", true},
		{"$.resources[0].type", "AWS::KMS::Key", true},
		{"$.readOnly", "false", true},
		{"$.resources", "", false},         // array
		{"$.userIdentity", "", false},      // object
		{"$.errorCode", "", false},         // absent
		{"$.resources[1].type", "", false}, // out of range
		{"eventName", "", false},           // not a selector
		{"$.eventName x", "", false},       // trailing text
	} {
		got, ok := Lookup(e, tc.sel)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.sel, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := Lookup(NewEvent("not json"), "$.a"); ok {
		t.Error("Lookup on a non-JSON event succeeded")
	}
	if v, ok := Lookup(NewEvent(`{"latency": 50, "requestType": "GET"}`), "$.latency"); !ok || v != "50" {
		t.Errorf("Lookup($.latency) = %q, %v", v, ok)
	}
}

func TestEventJSONLimits(t *testing.T) {
	deep := ""
	for i := 0; i < MaxJSONDepth+1; i++ {
		deep += `{"a":`
	}
	deep += "1"
	for i := 0; i < MaxJSONDepth+1; i++ {
		deep += "}"
	}
	p, _ := Parse(`{ $.a NOT EXISTS }`)
	if p.Match(deep) {
		t.Error("too-deep JSON was treated as JSON")
	}
	// A message that is not exactly one JSON value is not JSON, so even
	// NOT EXISTS fails on it.
	for _, msg := range []string{`{"a":1} trailing`, `{"a":1}{"b":2}`, `{"a":`, `"string"`, `plain`} {
		if p.Match(msg) {
			t.Errorf("%q was treated as JSON", msg)
		}
	}
	// An array root is JSON, but no property selector reaches into it.
	if !p.Match(`[1,2]`) {
		t.Error("NOT EXISTS on an array root should match")
	}
	ok, _ := Parse(`{ $.a = 1 }`)
	if !ok.Match(" \n{\"a\": 1}\n") {
		t.Error("surrounding whitespace should not stop JSON matching")
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{"kms.amazonaws.com", `a"b\c`, "*", "AccessDenied*", "", "héllo"} {
		p, err := Parse(`{ $.a = ` + Quote(s) + ` }`)
		if err != nil {
			t.Fatalf("Quote(%q) = %s does not parse: %v", s, Quote(s), err)
		}
		if got := p.json.val.text; got != s {
			t.Errorf("Quote(%q) re-parses as %q", s, got)
		}
	}
}

// TestConcurrentMatch shares one Event and one Pattern between goroutines;
// run with -race.
func TestConcurrentMatch(t *testing.T) {
	p, _ := Parse(labPattern)
	sp, _ := Parse(`[a, ...]`)
	e := NewEvent(mustRead("kms_decrypt_access_denied"))
	done := make(chan bool)
	for range 4 {
		go func() {
			done <- p.MatchEvent(e) && sp.MatchEvent(e)
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("concurrent match failed")
		}
	}
}
