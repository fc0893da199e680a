package pattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits enforced by Parse.
const (
	// MaxLength is AWS's maximum length, in characters, of
	// PutMetricFilter's filterPattern.
	MaxLength = 1024
	// MaxDepth caps nested parentheses so that hostile input cannot exhaust
	// the stack of the recursive-descent parser.
	MaxDepth = 100
	// MaxRegex is AWS's quota of %regex% values in one filter pattern.
	MaxRegex = 2
)

// Kind tells which of the filter-pattern languages a pattern is written in.
type Kind int

const (
	// KindAll is the empty pattern: it matches every event.
	KindAll Kind = iota
	// KindTerms is an unstructured pattern of terms, phrases and %regex%.
	KindTerms
	// KindJSON is a pattern in braces that selects values in JSON events.
	KindJSON
	// KindSpaceDelimited is a pattern in brackets over space-delimited fields.
	KindSpaceDelimited
)

func (k Kind) String() string {
	switch k {
	case KindAll:
		return "all"
	case KindTerms:
		return "terms"
	case KindJSON:
		return "json"
	case KindSpaceDelimited:
		return "space-delimited"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Pattern is a parsed filter pattern. It is immutable and safe for concurrent
// use.
type Pattern struct {
	kind   Kind
	json   *node       // KindJSON
	groups []termGroup // KindTerms
	slots  []spaceSlot // KindSpaceDelimited
}

// Kind returns the language the pattern is written in.
func (p *Pattern) Kind() Kind { return p.kind }

// SyntaxError reports why a filter pattern cannot be parsed and where.
type SyntaxError struct {
	Offset int // 0-based byte offset into the pattern text
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter pattern: at offset %d: %s", e.Offset, e.Msg)
}

// Parse parses a filter pattern. "" (or only spaces) matches every event.
// Errors are always *SyntaxError.
func Parse(text string) (*Pattern, error) {
	// AWS counts characters (PutMetricFilter: "Maximum length of 1024"),
	// so a pattern of multibyte characters may be longer in bytes.
	if n := utf8.RuneCountInString(text); n > MaxLength {
		off := 0
		for i := 0; i < MaxLength; i++ {
			_, size := utf8.DecodeRuneInString(text[off:])
			off += size
		}
		return nil, &SyntaxError{Offset: off,
			Msg: fmt.Sprintf("pattern is %d characters long, the maximum is %d", n, MaxLength)}
	}
	s := &scanner{src: text}
	s.skipSpace()
	if s.eof() {
		return &Pattern{kind: KindAll}, nil
	}
	var p *Pattern
	var err error
	switch s.peek() {
	case '{':
		p, err = s.parseJSONPattern()
	case '[':
		p, err = s.parseSpacePattern()
	default:
		p, err = s.parseTermPattern()
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// isSpace reports the whitespace the pattern languages skip between tokens.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isNameChar: AWS documents JSON property names and space-delimited field
// names as alphanumerics plus '-' and '_'.
func isNameChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// isWordChar is what an unquoted value may contain. AWS says values with
// characters such as '@', '$' or '\' must be quoted, yet shows '.', '*',
// '-' and '+' unquoted (the CIS kms.amazonaws.com, the docs' 123.123.*, 4*,
// +1000). Judgement call: ':' and '/' are accepted too, so that unquoted
// ARNs parse; the canonical form quotes every string anyway.
func isWordChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("_-.*:/+", c) >= 0
}

// scanner is the shared cursor of the three parsers.
type scanner struct {
	src    string
	pos    int
	depth  int
	regexN int
}

func (s *scanner) eof() bool  { return s.pos >= len(s.src) }
func (s *scanner) peek() byte { return s.src[s.pos] }

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

func (s *scanner) hasPrefix(p string) bool { return strings.HasPrefix(s.src[s.pos:], p) }

func (s *scanner) errf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// found describes the text at the cursor for error messages.
func (s *scanner) found() string {
	if s.eof() {
		return "end of pattern"
	}
	end := s.pos
	if isWordChar(s.src[end]) || s.src[end] == '$' {
		for end < len(s.src) && (isWordChar(s.src[end]) || s.src[end] == '$') && end-s.pos < 20 {
			end++
		}
	} else {
		end++
		for end < len(s.src) && end-s.pos < 2 && strings.IndexByte("=!<>&|", s.src[end]) >= 0 &&
			strings.IndexByte("=!<>&|", s.src[s.pos]) >= 0 {
			end++
		}
	}
	return fmt.Sprintf("%q", s.src[s.pos:end])
}

// word reads an unquoted run of isWordChar bytes.
func (s *scanner) word() string {
	start := s.pos
	for s.pos < len(s.src) && isWordChar(s.src[s.pos]) {
		s.pos++
	}
	return s.src[start:s.pos]
}

// quoted reads a double-quoted string at the cursor. Inside it, \" and \\
// are escapes (the form the AWS CDK emits); any other backslash is literal.
func (s *scanner) quoted() (string, error) {
	start := s.pos
	s.pos++ // opening quote
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), nil
		case c == '\\' && s.pos+1 < len(s.src) && (s.src[s.pos+1] == '"' || s.src[s.pos+1] == '\\'):
			b.WriteByte(s.src[s.pos+1])
			s.pos += 2
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	return "", s.errf(start, "unterminated quoted string")
}

// regex reads %...% at the cursor and counts it against the quota.
func (s *scanner) regex() (*value, error) {
	start := s.pos
	end := strings.IndexByte(s.src[s.pos+1:], '%')
	if end < 0 {
		return nil, s.errf(start, "unterminated regular expression: missing closing %%")
	}
	src := s.src[s.pos+1 : s.pos+1+end]
	s.regexN++
	if s.regexN > MaxRegex {
		return nil, s.errf(start, "more than %d regular expressions in one pattern (AWS quota)", MaxRegex)
	}
	re, err := compileRegex(src)
	if err != nil {
		return nil, s.errf(start+1+err.off, "invalid regular expression %%%s%%: %s", src, err.msg)
	}
	s.pos += end + 2
	return &value{kind: valRegex, text: src, re: re}, nil
}

// enter guards recursion depth; the caller must call leave.
func (s *scanner) enter(off int) error {
	s.depth++
	if s.depth > MaxDepth {
		return s.errf(off, "parentheses nested deeper than %d", MaxDepth)
	}
	return nil
}

func (s *scanner) leave() { s.depth-- }
