package pattern

import (
	"strconv"
	"strings"
)

type nodeOp int

const (
	nodeCmp nodeOp = iota
	nodeAnd
	nodeOr
)

// node is a JSON-pattern expression: a comparison or an n-ary && / ||.
// Nested operators of the same kind are flattened while parsing, so
// "(a && b) && c" and "a && b && c" give the same tree.
type node struct {
	op   nodeOp
	kids []*node // nodeAnd, nodeOr
	sel  selector
	cmp  cmpOp
	val  *value // nil for IS NULL, NOT EXISTS, IS TRUE, IS FALSE
}

// step is one property name or array index of a selector.
type step struct {
	key     string
	index   int
	isIndex bool
}

// selector is a parsed "$.a.b[0]".
type selector []step

func (s selector) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, st := range s {
		if st.isIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(st.index))
			b.WriteByte(']')
		} else {
			b.WriteByte('.')
			b.WriteString(st.key)
		}
	}
	return b.String()
}

func (s selector) equal(t selector) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

func (n *node) equal(m *node) bool {
	if n.op != m.op {
		return false
	}
	if n.op != nodeCmp {
		if len(n.kids) != len(m.kids) {
			return false
		}
		for i := range n.kids {
			if !n.kids[i].equal(m.kids[i]) {
				return false
			}
		}
		return true
	}
	if n.cmp != m.cmp || !n.sel.equal(m.sel) || (n.val == nil) != (m.val == nil) {
		return false
	}
	return n.val == nil || n.val.equal(m.val)
}

func (s *scanner) parseJSONPattern() (*Pattern, error) {
	s.pos++ // '{'
	s.skipSpace()
	if !s.eof() && s.peek() == '}' {
		return nil, s.errf(s.pos, "empty JSON pattern: expected a selector such as $.eventName")
	}
	n, err := s.parseOr()
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.eof() || s.peek() != '}' {
		return nil, s.errf(s.pos, `expected "&&", "||" or "}", got %s`, s.found())
	}
	s.pos++
	s.skipSpace()
	if !s.eof() {
		return nil, s.errf(s.pos, "unexpected %s after the closing }", s.found())
	}
	return &Pattern{kind: KindJSON, json: n}, nil
}

func (s *scanner) parseOr() (*node, error) {
	return s.parseBinary("||", nodeOr, s.parseAnd)
}

func (s *scanner) parseAnd() (*node, error) {
	return s.parseBinary("&&", nodeAnd, s.parseUnary)
}

func (s *scanner) parseBinary(tok string, op nodeOp, sub func() (*node, error)) (*node, error) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for {
		s.skipSpace()
		if !s.hasPrefix(tok) {
			break
		}
		s.pos += len(tok)
		k, err := sub()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	out := &node{op: op}
	for _, k := range kids {
		if k.op == op {
			out.kids = append(out.kids, k.kids...)
		} else {
			out.kids = append(out.kids, k)
		}
	}
	return out, nil
}

func (s *scanner) parseUnary() (*node, error) {
	s.skipSpace()
	if s.eof() {
		return nil, s.errf(s.pos, `expected a selector such as $.eventName or "(", got end of pattern`)
	}
	switch s.peek() {
	case '(':
		open := s.pos
		if err := s.enter(open); err != nil {
			return nil, err
		}
		s.pos++
		n, err := s.parseOr()
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.eof() || s.peek() != ')' {
			return nil, s.errf(s.pos, `expected "&&", "||" or ")" to close "(" at offset %d, got %s`, open, s.found())
		}
		s.pos++
		s.leave()
		return n, nil
	case '$':
		return s.parseComparison()
	}
	return nil, s.errf(s.pos, `expected a selector such as $.eventName or "(", got %s`, s.found())
}

func (s *scanner) parseSelector() (selector, error) {
	start := s.pos
	s.pos++ // '$'
	var sel selector
	for !s.eof() {
		switch s.peek() {
		case '.':
			s.pos++
			ns := s.pos
			for !s.eof() && isNameChar(s.peek()) {
				s.pos++
			}
			if s.pos == ns {
				return nil, s.errf(s.pos, "expected a property name after \".\" in selector, got %s", s.found())
			}
			sel = append(sel, step{key: s.src[ns:s.pos]})
			continue
		case '[':
			if len(sel) == 0 {
				return nil, s.errf(s.pos, "an array index must follow a property, as in $.users[0]")
			}
			open := s.pos
			s.pos++
			ds := s.pos
			for !s.eof() && s.peek() >= '0' && s.peek() <= '9' {
				s.pos++
			}
			if s.pos == ds || s.pos-ds > 9 {
				return nil, s.errf(ds, "expected an array index of 1 to 9 digits, got %s", s.found())
			}
			idx, _ := strconv.Atoi(s.src[ds:s.pos])
			if s.eof() || s.peek() != ']' {
				return nil, s.errf(s.pos, "expected \"]\" to close \"[\" at offset %d, got %s", open, s.found())
			}
			s.pos++
			sel = append(sel, step{index: idx, isIndex: true})
			continue
		}
		break
	}
	if len(sel) == 0 {
		return nil, s.errf(start, "selector must name a property, as in $.eventName")
	}
	return sel, nil
}

func (s *scanner) parseComparison() (*node, error) {
	sel, err := s.parseSelector()
	if err != nil {
		return nil, err
	}
	n := &node{op: nodeCmp, sel: sel}
	s.skipSpace()
	if s.eof() {
		return nil, s.errf(s.pos, "expected an operator after selector %s, got end of pattern", sel)
	}
	if isAlnum(s.peek()) {
		// IS NULL, IS TRUE, IS FALSE, NOT EXISTS. Keywords are read
		// case-insensitively and printed in upper case.
		kwAt := s.pos
		kw := strings.ToUpper(s.word())
		s.skipSpace()
		arg := strings.ToUpper(s.word())
		switch {
		case kw == "IS" && arg == "NULL":
			n.cmp = opIsNull
		case kw == "IS" && arg == "TRUE":
			n.cmp = opIsTrue
		case kw == "IS" && arg == "FALSE":
			n.cmp = opIsFalse
		case kw == "NOT" && arg == "EXISTS":
			n.cmp = opNotExists
		default:
			return nil, s.errf(kwAt, "expected an operator, IS NULL, IS TRUE, IS FALSE or NOT EXISTS after selector %s, got %q", sel, strings.TrimSpace(s.src[kwAt:s.pos]))
		}
		return n, nil
	}
	opAt := s.pos
	op, opText, ok := s.scanOp()
	if !ok {
		if opText == "" {
			return nil, s.errf(opAt, "expected an operator (= != < > <= >=) after selector %s, got %s", sel, s.found())
		}
		return nil, s.errf(opAt, "expected an operator (= != < > <= >=) after selector %s, got %q", sel, opText)
	}
	s.pos += len(opText)
	n.cmp = op
	if n.val, err = s.parseValue(op, opText); err != nil {
		return nil, err
	}
	return n, nil
}
