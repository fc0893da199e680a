package pattern

import "strconv"

// spaceSlot is one comma-separated entry of a space-delimited pattern.
type spaceSlot struct {
	ellipsis bool
	name     string     // "" for an empty slot (e.g. after a trailing comma)
	cond     *spaceCond // nil for a bare name, an empty slot or "..."
}

// spaceCond is a field condition: a comparison, or && / || of them.
type spaceCond struct {
	op   nodeOp
	kids []*spaceCond
	off  int // offset of the field name, for errors
	name string
	cmp  cmpOp
	val  *value
}

func (c *spaceCond) equal(d *spaceCond) bool {
	if c == nil || d == nil {
		return c == d
	}
	if c.op != d.op || len(c.kids) != len(d.kids) {
		return false
	}
	if c.op != nodeCmp {
		for i := range c.kids {
			if !c.kids[i].equal(d.kids[i]) {
				return false
			}
		}
		return true
	}
	return c.name == d.name && c.cmp == d.cmp && c.val.equal(d.val)
}

func (s *scanner) parseSpacePattern() (*Pattern, error) {
	open := s.pos
	s.pos++ // '['
	var slots []spaceSlot
	ellipsisAt := -1
	for {
		s.skipSpace()
		var sl spaceSlot
		at := s.pos
		switch {
		case s.hasPrefix("..."):
			if ellipsisAt >= 0 {
				return nil, s.errf(at, `only one "..." is allowed; the first is at offset %d`, ellipsisAt)
			}
			ellipsisAt = at
			sl.ellipsis = true
			s.pos += 3
		case s.eof():
			return nil, s.errf(at, `expected a field or "]" to close "[" at offset %d, got end of pattern`, open)
		case s.peek() == ',' || s.peek() == ']':
			// empty slot: an unnamed field
		default:
			c, bare, err := s.parseSpaceOr()
			if err != nil {
				return nil, err
			}
			if bare {
				sl.name = c.name
			} else {
				sl.cond, sl.name = c, c.firstName()
				if other, off := c.otherName(sl.name); other != "" {
					// AWS rejects the docs' own example
					// [..., status_code = 4* && bytes > 1000] as "Invalid filter
					// pattern" (awsdocs/amazon-cloudwatch-logs-user-guide#21):
					// the conditions of a field are about that field only.
					return nil, s.errf(off, "condition on field %q inside the field %q: conditions of one field must all name it", other, sl.name)
				}
			}
		}
		slots = append(slots, sl)
		s.skipSpace()
		if s.eof() {
			return nil, s.errf(s.pos, `expected "," or "]" to close "[" at offset %d, got end of pattern`, open)
		}
		if s.peek() == ',' {
			s.pos++
			continue
		}
		if s.peek() == ']' {
			s.pos++
			break
		}
		return nil, s.errf(s.pos, `expected "&&", "||", "," or "]", got %s`, s.found())
	}
	if len(slots) == 1 && !slots[0].ellipsis && slots[0].name == "" {
		return nil, s.errf(open, "empty space-delimited pattern: name at least one field")
	}
	s.skipSpace()
	if !s.eof() {
		return nil, s.errf(s.pos, "unexpected %s after the closing ]", s.found())
	}
	return &Pattern{kind: KindSpaceDelimited, slots: slots}, nil
}

// otherName returns the first condition naming a field other than name.
func (c *spaceCond) otherName(name string) (string, int) {
	if c.op == nodeCmp {
		if c.name != name {
			return c.name, c.off
		}
		return "", 0
	}
	for _, k := range c.kids {
		if n, off := k.otherName(name); n != "" {
			return n, off
		}
	}
	return "", 0
}

func (c *spaceCond) firstName() string {
	for c.op != nodeCmp {
		c = c.kids[0]
	}
	return c.name
}

// parseSpaceOr parses `a = 1 && b > 2 || c = x`. bare is true when the slot
// is a lone field name with no condition.
func (s *scanner) parseSpaceOr() (c *spaceCond, bare bool, err error) {
	var kids []*spaceCond
	for {
		k, b, err := s.parseSpaceAnd()
		if err != nil {
			return nil, false, err
		}
		if b {
			if len(kids) > 0 {
				return nil, false, s.errf(s.pos, "expected an operator after field %q, got %s", k.name, s.found())
			}
			s.skipSpace()
			if s.hasPrefix("||") {
				return nil, false, s.errf(s.pos, `expected an operator after field %q, got "||"`, k.name)
			}
			return k, true, nil
		}
		kids = append(kids, k)
		s.skipSpace()
		if !s.hasPrefix("||") {
			break
		}
		s.pos += 2
	}
	return flattenCond(nodeOr, kids), false, nil
}

func (s *scanner) parseSpaceAnd() (*spaceCond, bool, error) {
	var kids []*spaceCond
	for {
		s.skipSpace()
		at := s.pos
		for !s.eof() && isNameChar(s.peek()) {
			s.pos++
		}
		if s.pos == at {
			return nil, false, s.errf(at, "expected a field name, got %s", s.found())
		}
		name := s.src[at:s.pos]
		s.skipSpace()
		op, opText, ok := s.scanOp()
		if opText == "" {
			if len(kids) > 0 {
				return nil, false, s.errf(s.pos, "expected an operator (= != < > <= >=) after field %q, got %s", name, s.found())
			}
			if !s.hasPrefix("&&") {
				return &spaceCond{op: nodeCmp, name: name}, true, nil
			}
			return nil, false, s.errf(s.pos, `expected an operator after field %q, got "&&"`, name)
		}
		if !ok {
			return nil, false, s.errf(s.pos, "expected an operator (= != < > <= >=) after field %q, got %q", name, opText)
		}
		s.pos += len(opText)
		v, err := s.parseValue(op, opText)
		if err != nil {
			return nil, false, err
		}
		kids = append(kids, &spaceCond{op: nodeCmp, off: at, name: name, cmp: op, val: v})
		s.skipSpace()
		if !s.hasPrefix("&&") {
			break
		}
		s.pos += 2
	}
	return flattenCond(nodeAnd, kids), false, nil
}

func flattenCond(op nodeOp, kids []*spaceCond) *spaceCond {
	if len(kids) == 1 {
		return kids[0]
	}
	out := &spaceCond{op: op}
	for _, k := range kids {
		if k.op == op {
			out.kids = append(out.kids, k.kids...)
		} else {
			out.kids = append(out.kids, k)
		}
	}
	return out
}

// Fields splits the message into space-delimited fields. Text between a
// pair of square brackets or double quotes is one field, without the
// brackets or quotes (FilterAndPatternSyntax.md: "The characters between a
// pair of square brackets [] or two double quotes ("") are treated as a
// single field"; its extracted "$4" is "10/Oct/2000:13:25:15 -0700").
func (e *Event) Fields() []string {
	e.fieldsOnce.Do(func() { e.fields = splitFields(e.msg) })
	return e.fields
}

func splitFields(msg string) []string {
	var out []string
	i := 0
	for {
		for i < len(msg) && isSpace(msg[i]) {
			i++
		}
		if i >= len(msg) {
			return out
		}
		switch c := msg[i]; c {
		case '"', '[':
			closer := byte('"')
			if c == '[' {
				closer = ']'
			}
			j := i + 1
			for j < len(msg) && msg[j] != closer {
				j++
			}
			out = append(out, msg[i+1:j])
			i = j + 1
		default:
			j := i
			for j < len(msg) && !isSpace(msg[j]) {
				j++
			}
			out = append(out, msg[i:j])
			i = j
		}
	}
}

// matchSpace aligns fields to slots (fields covered by "..." are skipped)
// and evaluates every slot's condition on its field.
func matchSpace(slots []spaceSlot, fields []string, extract bool) (bool, map[string]string) {
	k := -1
	for i, sl := range slots {
		if sl.ellipsis {
			k = i
		}
	}
	// slotOf[j] is the slot index of field j, or -1 under the ellipsis.
	slotOf := make([]int, len(fields))
	if k < 0 {
		if len(fields) != len(slots) {
			return false, nil
		}
		for j := range fields {
			slotOf[j] = j
		}
	} else {
		pre, post := k, len(slots)-k-1
		if len(fields) < pre+post {
			return false, nil
		}
		for j := range fields {
			switch {
			case j < pre:
				slotOf[j] = j
			case j >= len(fields)-post:
				slotOf[j] = k + 1 + j - (len(fields) - post)
			default:
				slotOf[j] = -1
			}
		}
	}
	fieldOfSlot := make([]string, len(slots))
	for j, si := range slotOf {
		if si >= 0 {
			fieldOfSlot[si] = fields[j]
		}
	}
	for i, sl := range slots {
		if sl.cond != nil && !sl.cond.eval(fieldOfSlot[i]) {
			return false, nil
		}
	}
	if !extract {
		return true, nil
	}
	out := make(map[string]string, len(fields))
	for j, si := range slotOf {
		if si >= 0 && slots[si].name != "" {
			out["$"+slots[si].name] = fields[j]
		} else {
			out["$"+strconv.Itoa(j+1)] = fields[j]
		}
	}
	return true, out
}

func (c *spaceCond) eval(field string) bool {
	switch c.op {
	case nodeAnd:
		for _, k := range c.kids {
			if !k.eval(field) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, k := range c.kids {
			if k.eval(field) {
				return true
			}
		}
		return false
	}
	return compare(c.cmp, c.val, field)
}
