package pattern

import "strings"

// term is one word, "quoted phrase" or %regex% of an unstructured pattern.
type term struct {
	text    string // the word or phrase; the regex source for regexes
	exclude bool   // written -term: the event must not contain it
	re      *value // non-nil for %regex%
}

// termGroup is a conjunction of terms. A pattern with several groups
// matches when any group does: "?ERROR ?WARN" is two groups, and the terms
// after a ?term join its group, so `?ERROR MainThread ?WARN Deadlock` means
// (ERROR and MainThread) or (WARN and Deadlock), which is how the AWS CDK's
// FilterPattern.anyTermGroup writes it. Terms before the first ?term form a
// group of their own (alt false).
type termGroup struct {
	alt   bool
	terms []term
}

func (t term) equal(u term) bool {
	return t.text == u.text && t.exclude == u.exclude && (t.re == nil) == (u.re == nil)
}

func (s *scanner) parseTermPattern() (*Pattern, error) {
	var groups []termGroup
	for {
		s.skipSpace()
		if s.eof() {
			break
		}
		start := s.pos
		alt, exclude := false, false
		switch s.peek() {
		case '?':
			alt = true
			s.pos++
		case '-':
			exclude = true
			s.pos++
			// The docs write exclusions both as -Exiting and as "ERROR" - "Exiting".
			s.skipSpace()
		}
		if s.eof() || isSpace(s.peek()) || ((alt || exclude) && (s.peek() == '?' || s.peek() == '-')) {
			return nil, s.errf(s.pos, "expected a term after %q, got %s", s.src[start:start+1], s.found())
		}
		t := term{exclude: exclude}
		switch s.peek() {
		case '"':
			str, err := s.quoted()
			if err != nil {
				return nil, err
			}
			t.text = str
		case '%':
			v, err := s.regex()
			if err != nil {
				return nil, err
			}
			t.text, t.re = v.text, v
		default:
			// Judgement call: AWS asks for quotes around terms with
			// characters other than alphanumerics and '_', but does not say
			// what happens without them; an unquoted run is taken literally.
			ws := s.pos
			for !s.eof() && !isSpace(s.peek()) && s.peek() != '"' {
				s.pos++
			}
			t.text = s.src[ws:s.pos]
		}
		if alt || len(groups) == 0 {
			groups = append(groups, termGroup{alt: alt})
		}
		g := &groups[len(groups)-1]
		g.terms = append(g.terms, t)
	}
	return &Pattern{kind: KindTerms, groups: groups}, nil
}

// matchTerms: terms match anywhere in the message, inside words too — the
// docs' own example is that ERROR matches "Exiting with ERRORCODE: -1"
// (FilterAndPatternSyntax.md, "Matching Terms in Log Events"). Matching is
// case-sensitive.
func matchTerms(groups []termGroup, msg string) bool {
	for _, g := range groups {
		if matchGroup(g, msg) {
			return true
		}
	}
	return false
}

func matchGroup(g termGroup, msg string) bool {
	for _, t := range g.terms {
		var found bool
		if t.re != nil {
			found = t.re.re.MatchString(msg)
		} else {
			found = strings.Contains(msg, t.text)
		}
		if found == t.exclude {
			return false
		}
	}
	return true
}
