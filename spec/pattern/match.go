package pattern

// Match reports whether the pattern matches message. It is
// MatchEvent(NewEvent(message)); to test one message against many patterns,
// build the Event once.
func (p *Pattern) Match(message string) bool { return p.MatchEvent(NewEvent(message)) }

// MatchEvent reports whether the pattern matches the event the way
// CloudWatch Logs would.
func (p *Pattern) MatchEvent(e *Event) bool {
	switch p.kind {
	case KindAll:
		return true
	case KindJSON:
		root, ok := e.JSON()
		return ok && p.json.eval(root)
	case KindTerms:
		return matchTerms(p.groups, e.msg)
	case KindSpaceDelimited:
		m, _ := matchSpace(p.slots, e.Fields(), false)
		return m
	}
	return false
}

// Extract matches a space-delimited pattern and returns the extracted
// fields keyed as TestMetricFilter's extractedValues: "$name" for a named
// field, "$N" (1-based position) for the others. For other kinds fields is
// nil.
func (p *Pattern) Extract(e *Event) (matched bool, fields map[string]string) {
	if p.kind != KindSpaceDelimited {
		return p.MatchEvent(e), nil
	}
	return matchSpace(p.slots, e.Fields(), true)
}

func (n *node) eval(root any) bool {
	switch n.op {
	case nodeAnd:
		for _, k := range n.kids {
			if !k.eval(root) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, k := range n.kids {
			if k.eval(root) {
				return true
			}
		}
		return false
	}
	v, found := resolve(root, n.sel)
	switch n.cmp {
	case opNotExists:
		return !found
	case opIsNull:
		return found && v == nil
	case opIsTrue:
		b, ok := v.(bool)
		return found && ok && b
	case opIsFalse:
		b, ok := v.(bool)
		return found && ok && !b
	}
	if !found {
		return false
	}
	leaf, ok := leafText(v)
	if !ok {
		return false
	}
	return compare(n.cmp, n.val, leaf)
}
