package pattern

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: Parse never panics, and for valid input the canonical form
// re-parses to an Equal tree and is a fixed point of Parse∘String.
func FuzzParse(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", text, err)
			}
			if se.Offset < 0 || se.Offset > len(text) {
				t.Fatalf("Parse(%q): offset %d outside the text", text, se.Offset)
			}
			return
		}
		canon := p.String()
		q, err := Parse(canon)
		if err != nil {
			// The canonical form adds spaces, quotes and at most one level of
			// parentheses, so it may cross AWS's limits for input that was
			// already at them; that is documented, not a bug.
			var se *SyntaxError
			if errors.As(err, &se) && (utf8.RuneCountInString(canon) > MaxLength || strings.Contains(se.Msg, "nested deeper")) {
				return
			}
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", text, canon, err)
		}
		if !Equal(p, q) {
			t.Fatalf("Parse(%q).String() = %q parses to a different tree", text, canon)
		}
		if again := q.String(); again != canon {
			t.Fatalf("String not a fixed point for %q: %q then %q", text, canon, again)
		}
	})
}

// FuzzMatch: matching never panics on any pattern and event, and the
// canonical form matches exactly the same events as the original.
func FuzzMatch(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, event(f, tc.event))
	}
	f.Fuzz(func(t *testing.T, text, message string) {
		e := NewEvent(message)
		Lookup(e, text)
		p, err := Parse(text)
		if err != nil {
			return
		}
		got := p.MatchEvent(e)
		m, fields := p.Extract(e)
		if m != got {
			t.Fatalf("Extract matched %v, MatchEvent %v", m, got)
		}
		if fields != nil && p.Kind() != KindSpaceDelimited {
			t.Fatalf("Extract returned fields for a %v pattern", p.Kind())
		}
		q, err := Parse(p.String())
		if err != nil {
			return // limits, see FuzzParse
		}
		if q.MatchEvent(e) != got {
			t.Fatalf("canonical %q matches %q differently from %q", p.String(), message, text)
		}
	})
}
