package pattern

import "strings"

// String returns the canonical text of the pattern (see the package
// documentation). Parse(p.String()) gives a pattern Equal to p.
func (p *Pattern) String() string {
	var b strings.Builder
	switch p.kind {
	case KindJSON:
		b.WriteString("{ ")
		p.json.print(&b, false)
		b.WriteString(" }")
	case KindTerms:
		for gi, g := range p.groups {
			for ti, t := range g.terms {
				if gi > 0 || ti > 0 {
					b.WriteByte(' ')
				}
				if ti == 0 && g.alt {
					b.WriteByte('?')
				}
				if t.exclude {
					b.WriteByte('-')
				}
				switch {
				case t.re != nil:
					writeRegex(&b, t.text)
				case isBareTerm(t.text):
					b.WriteString(t.text)
				default:
					writeQuoted(&b, t.text)
				}
			}
		}
	case KindSpaceDelimited:
		b.WriteByte('[')
		for i, sl := range p.slots {
			if i > 0 {
				b.WriteString(", ")
			}
			switch {
			case sl.ellipsis:
				b.WriteString("...")
			case sl.cond != nil:
				sl.cond.print(&b)
			default:
				b.WriteString(sl.name)
			}
		}
		b.WriteByte(']')
	}
	return b.String()
}

// print writes n; inAnd says n is an operand of &&, where an || needs
// parentheses. Every comparison is parenthesised.
func (n *node) print(b *strings.Builder, inAnd bool) {
	switch n.op {
	case nodeAnd, nodeOr:
		sep := " && "
		if n.op == nodeOr {
			sep = " || "
		}
		paren := n.op == nodeOr && inAnd
		if paren {
			b.WriteByte('(')
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.print(b, n.op == nodeAnd)
		}
		if paren {
			b.WriteByte(')')
		}
		return
	}
	b.WriteByte('(')
	b.WriteString(n.sel.String())
	b.WriteByte(' ')
	b.WriteString(n.cmp.String())
	if n.val != nil {
		b.WriteByte(' ')
		writeValue(b, n.val)
	}
	b.WriteByte(')')
}

func (c *spaceCond) print(b *strings.Builder) {
	if c.op != nodeCmp {
		sep := " && "
		if c.op == nodeOr {
			sep = " || "
		}
		for i, k := range c.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.print(b)
		}
		return
	}
	b.WriteString(c.name)
	b.WriteByte(' ')
	b.WriteString(c.cmp.String())
	b.WriteByte(' ')
	writeValue(b, c.val)
}

func writeValue(b *strings.Builder, v *value) {
	switch v.kind {
	case valNumber:
		b.WriteString(v.text)
	case valRegex:
		writeRegex(b, v.text)
	default:
		writeQuoted(b, v.text)
	}
}

func writeRegex(b *strings.Builder, src string) {
	b.WriteByte('%')
	b.WriteString(src)
	b.WriteByte('%')
}

// writeQuoted quotes s, escaping '"' and '\' with a backslash as the AWS
// CDK does.
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// isBareTerm: AWS lets terms of alphanumerics and '_' go unquoted.
func isBareTerm(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// Equal reports whether a and b are the same pattern tree. Quoting, spacing
// and redundant parentheses do not matter; numbers compare as written
// (1000 and 1e3 differ).
func Equal(a, b *Pattern) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindJSON:
		return a.json.equal(b.json)
	case KindTerms:
		if len(a.groups) != len(b.groups) {
			return false
		}
		for i := range a.groups {
			ga, gb := a.groups[i], b.groups[i]
			if ga.alt != gb.alt || len(ga.terms) != len(gb.terms) {
				return false
			}
			for j := range ga.terms {
				if !ga.terms[j].equal(gb.terms[j]) {
					return false
				}
			}
		}
	case KindSpaceDelimited:
		if len(a.slots) != len(b.slots) {
			return false
		}
		for i := range a.slots {
			sa, sb := a.slots[i], b.slots[i]
			if sa.ellipsis != sb.ellipsis || sa.name != sb.name || !sa.cond.equal(sb.cond) {
				return false
			}
		}
	}
	return true
}

// Quote returns s as a double-quoted pattern value in canonical form, for
// callers that build pattern text (spec/'s match: shorthand): '"' and '\'
// are escaped with a backslash. Wildcards stay wildcards: a leading or
// trailing '*' in s keeps its meaning, as it does inside quotes at AWS.
func Quote(s string) string {
	var b strings.Builder
	writeQuoted(&b, s)
	return b.String()
}
