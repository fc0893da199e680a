package pattern

import (
	"regexp"
	"strconv"
	"strings"
)

type valueKind int

const (
	valString valueKind = iota // quoted or unquoted text, '*' wildcards at either end
	valNumber                  // unquoted numeric literal
	valRegex                   // %regex%
)

// value is the right-hand side of a comparison.
type value struct {
	kind valueKind
	text string  // string content, the number as written, or the regex source
	num  float64 // valNumber
	re   *regexp.Regexp
}

func (v *value) equal(w *value) bool {
	return v.kind == w.kind && v.text == w.text
}

// numberSyntax is AWS's number grammar: an integer or decimal with an
// optional sign, optionally followed by 'e' and a signed integer
// (FilterAndPatternSyntax.md, "Numeric Comparisons": 10e3, 10e-3, +1000, 55.5).
// A trailing or leading '.' is accepted the way most parsers do.
var numberSyntax = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// parseNumber returns the value of s when s is a number by numberSyntax.
func parseNumber(s string) (float64, bool) {
	if s == "" || !numberSyntax.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of range: ParseFloat returns ±Inf with ErrRange, still ordered.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// valueFor classifies an unquoted word: a number literal or a string.
func valueFor(word string) *value {
	if f, ok := parseNumber(word); ok {
		return &value{kind: valNumber, text: word, num: f}
	}
	return &value{kind: valString, text: word}
}

// matchWildcard applies a string value with its wildcards to s. AWS: "*Event"
// matches PutEvent, "Event*" matches EventId, "Ev*ent" only matches the
// literal Ev*ent (FilterAndPatternSyntax.md); "*" alone matches any value.
func matchWildcard(pat, s string) bool {
	if pat == "*" {
		return true
	}
	lead := strings.HasPrefix(pat, "*")
	trail := strings.HasSuffix(pat, "*")
	core := pat
	if lead {
		core = core[1:]
	}
	if trail {
		core = core[:len(core)-1]
	}
	switch {
	case lead && trail:
		return strings.Contains(s, core)
	case lead:
		return strings.HasSuffix(s, core)
	case trail:
		return strings.HasPrefix(s, core)
	}
	return s == core
}

type cmpOp int

const (
	opEq cmpOp = iota
	opNe
	opLt
	opGt
	opLe
	opGe
	opIsNull
	opNotExists
	opIsTrue
	opIsFalse
)

var cmpOpText = [...]string{"=", "!=", "<", ">", "<=", ">=", "IS NULL", "NOT EXISTS", "IS TRUE", "IS FALSE"}

func (o cmpOp) String() string { return cmpOpText[o] }

// scanOp reads a comparison operator. "==" is read as one token so that the
// error can name it.
func (s *scanner) scanOp() (cmpOp, string, bool) {
	for _, t := range []struct {
		text string
		op   cmpOp
		ok   bool
	}{{"==", opEq, false}, {"!=", opNe, true}, {"<=", opLe, true}, {">=", opGe, true},
		{"=", opEq, true}, {"<", opLt, true}, {">", opGt, true}} {
		if s.hasPrefix(t.text) {
			return t.op, t.text, t.ok
		}
	}
	return 0, "", false
}

// compare applies op and v to a leaf of the event (a JSON value node or a
// space-delimited field) given as text. A number value reads the leaf as a
// number when it is one by AWS's grammar, whether it was a JSON number or a
// string.
func compare(op cmpOp, v *value, leaf string) bool {
	switch v.kind {
	case valRegex:
		m := v.re.MatchString(leaf)
		return m == (op == opEq)
	case valString:
		m := matchWildcard(v.text, leaf)
		return m == (op == opEq)
	}
	f, ok := parseNumber(leaf)
	if !ok {
		// A number literal against a value that is not a number: equality
		// falls back to comparing the text; ordering never matches.
		switch op {
		case opEq:
			return leaf == v.text
		case opNe:
			return leaf != v.text
		}
		return false
	}
	switch op {
	case opEq:
		return f == v.num
	case opNe:
		return f != v.num
	case opLt:
		return f < v.num
	case opGt:
		return f > v.num
	case opLe:
		return f <= v.num
	case opGe:
		return f >= v.num
	}
	return false
}

// parseValue reads the value after op. Ordering operators need a number;
// = and != take a number, a string (quoted or not) or a %regex%.
func (s *scanner) parseValue(op cmpOp, opText string) (*value, error) {
	s.skipSpace()
	start := s.pos
	if s.eof() {
		return nil, s.errf(start, "expected a value after %q, got end of pattern", opText)
	}
	ordering := op != opEq && op != opNe
	switch c := s.peek(); {
	case c == '"':
		str, err := s.quoted()
		if err != nil {
			return nil, err
		}
		if ordering {
			return nil, s.errf(start, "expected a number after %q, got a quoted string", opText)
		}
		return &value{kind: valString, text: str}, nil
	case c == '%':
		if ordering {
			return nil, s.errf(start, "expected a number after %q, got a regular expression", opText)
		}
		return s.regex()
	case isWordChar(c):
		w := s.word()
		if !s.eof() && !isSpace(s.peek()) && strings.IndexByte(")}],&|", s.peek()) < 0 {
			return nil, s.errf(s.pos, "unquoted value %q is followed by %s; quote values that contain it", w, s.found())
		}
		v := valueFor(w)
		if ordering && v.kind != valNumber {
			return nil, s.errf(start, "expected a number after %q, got %q", opText, w)
		}
		return v, nil
	}
	return nil, s.errf(start, "expected a value after %q, got %s", opText, s.found())
}
