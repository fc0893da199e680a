package spec

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kmswatch/kmswatch/spec/pattern"
)

// Pattern is the filter pattern that goes to AWS for this alarm's metric filter: filterPattern
// verbatim (a CIS pattern must stay byte-identical for auditors), or the match shorthand compiled
// to one JSON pattern. The compiled form is canonical: clauses in a fixed order (eventSource,
// eventNames, errorsOnly or successOnly, errorCodes, principalArn, accounts), each parenthesised, joined
// with &&, alternatives joined with ||, values quoted, in pattern.Parse(...).String()'s form.
func (a *Alarm) Pattern() string {
	if a.Match == nil {
		return a.FilterPattern
	}
	text := a.Match.compile()
	p, err := pattern.Parse(text)
	if err != nil {
		// Only a Match that validation rejects gets here; return the text so the caller's
		// own parse reports the problem.
		return text
	}
	return p.String()
}

func (m *Match) compile() string {
	var clauses []string
	if m.EventSource != "" {
		clauses = append(clauses, eq("$.eventSource", m.EventSource))
	}
	if len(m.EventNames) > 0 {
		clauses = append(clauses, anyOf("$.eventName", m.EventNames))
	}
	if m.ErrorsOnly {
		// "*" matches any value, so this is "the call failed": CloudTrail sets errorCode only then.
		clauses = append(clauses, eq("$.errorCode", "*"))
	}
	if m.SuccessOnly {
		clauses = append(clauses, "($.errorCode NOT EXISTS)")
	}
	if len(m.ErrorCodes) > 0 {
		clauses = append(clauses, anyOf("$.errorCode", m.ErrorCodes))
	}
	if m.PrincipalArn != "" {
		// A role used through a session shows up as sessionIssuer.arn (userIdentity.arn is then
		// the assumed-role session ARN); a user or role calling directly as userIdentity.arn.
		clauses = append(clauses, "("+eq("$.userIdentity.sessionContext.sessionIssuer.arn", m.PrincipalArn)+" || "+eq("$.userIdentity.arn", m.PrincipalArn)+")")
	}
	if len(m.Accounts) > 0 {
		// Quoted, so that the id compares as text: unquoted, 012345678901 would compare as a
		// number and equal 12345678901.
		clauses = append(clauses, anyOf("$.recipientAccountId", m.Accounts))
	}
	return "{ " + strings.Join(clauses, " && ") + " }"
}

func eq(selector, value string) string {
	return fmt.Sprintf("(%s = %s)", selector, pattern.Quote(value))
}

func anyOf(selector string, values []string) string {
	if len(values) == 1 {
		return eq(selector, values[0])
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = eq(selector, v)
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// validateFilter checks that exactly one of match and filterPattern is given and that either is
// well-formed.
func validateFilter(p *problems, path string, a *Alarm) {
	switch {
	case a.Match == nil && a.FilterPattern == "":
		p.errorf(path, "", "needs match or filterPattern (an empty filterPattern would count every event)")
		return
	case a.Match != nil && a.FilterPattern != "":
		p.errorf(path+".filterPattern", "", "give either match or filterPattern, not both")
		return
	case a.Match != nil:
		if !validateMatch(p, path+".match", a.Match) {
			return
		}
	}
	// CloudWatch Logs counts the limit in characters, not bytes.
	if n := utf8.RuneCountInString(a.FilterPattern); n > MaxFilterPattern {
		p.errorf(path+".filterPattern", "", "must be at most %d characters, has %d", MaxFilterPattern, n)
		return
	}
	if a.Match != nil {
		if n := utf8.RuneCountInString(a.Pattern()); n > MaxFilterPattern {
			p.errorf(path+".match", "", "compiles to a %d-character pattern, more than CloudWatch Logs' %d", n, MaxFilterPattern)
		} else if _, err := pattern.Parse(a.Pattern()); err != nil {
			p.errorf(path+".match", a.Pattern(), "compiles to a pattern CloudWatch Logs would reject: %v", err)
		}
		return
	}
	checkPatternSyntax(p, path+".filterPattern", a.FilterPattern)
}

// checkPatternSyntax parses a filterPattern as CloudWatch Logs would and reports a syntax error
// with its position and the text around it.
func checkPatternSyntax(p *problems, path, text string) {
	pat, err := pattern.Parse(text)
	var se *pattern.SyntaxError
	switch {
	case errors.As(err, &se):
		p.errorf(path, text, "syntax error at offset %d (%s): %s", se.Offset, near(text, se.Offset), se.Msg)
	case err != nil:
		p.errorf(path, text, "%v", err)
	case pat.Kind() == pattern.KindAll:
		p.warnf(path, text, "a blank pattern matches every event: the metric counts all CloudTrail activity")
	}
}

// near shows the pattern around a byte offset with a marker: `$.a = ▶)`.
func near(text string, off int) string {
	off = max(0, min(off, len(text)))
	from, to := max(0, off-20), min(len(text), off+20)
	return fmt.Sprintf("%q", text[from:off]+"▶"+text[off:to])
}

// validateMatch reports the problems of a match shorthand and whether it has none.
func validateMatch(p *problems, path string, m *Match) bool {
	before := len(p.errs)
	if m.EventSource == "" && len(m.EventNames) == 0 && !m.ErrorsOnly && !m.SuccessOnly && len(m.ErrorCodes) == 0 && m.PrincipalArn == "" && len(m.Accounts) == 0 {
		p.errorf(path, "", "has no clause: give at least one of eventSource, eventNames, errorsOnly, successOnly, errorCodes, principalArn, accounts")
		return false
	}
	if m.EventSource != "" && !reEventSource.MatchString(m.EventSource) {
		p.errorf(path+".eventSource", m.EventSource, "must be a service's event source such as kms.amazonaws.com")
	}
	seen := map[string]bool{}
	for i, n := range m.EventNames {
		if !reEventName.MatchString(n) {
			p.errorf(fmt.Sprintf("%s.eventNames[%d]", path, i), n, "must be an API action name such as Decrypt")
		} else if seen[n] {
			p.errorf(fmt.Sprintf("%s.eventNames[%d]", path, i), n, "duplicate event name")
		}
		seen[n] = true
	}
	if m.ErrorsOnly && m.SuccessOnly {
		p.errorf(path+".successOnly", "true", "errorsOnly and successOnly together match nothing")
	}
	if m.SuccessOnly && len(m.ErrorCodes) > 0 {
		p.errorf(path+".errorCodes", "", "successOnly with errorCodes matches nothing (a successful call has no errorCode)")
	}
	for i, c := range m.ErrorCodes {
		if !reErrorCode.MatchString(c) {
			p.errorf(fmt.Sprintf("%s.errorCodes[%d]", path, i), c, "must be an error code such as AccessDenied, with an optional leading or trailing *")
		}
	}
	if m.PrincipalArn != "" {
		switch {
		case !rePrincipal.MatchString(m.PrincipalArn):
			p.errorf(path+".principalArn", m.PrincipalArn, "must be an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME)")
		case strings.Contains(m.PrincipalArn, ":assumed-role/"):
			p.warnf(path+".principalArn", m.PrincipalArn, "an assumed-role ARN names a single session, which changes with every new session; give the role ARN (arn:aws:iam::ACCOUNT:role/NAME) to match all of them")
		}
	}
	validateAccounts(p, path+".accounts", m.Accounts)
	return len(p.errs) == before
}

// validateAccounts checks match.accounts: AWS account ids, each once.
func validateAccounts(p *problems, path string, accounts []string) {
	seen := map[string]int{}
	for i, id := range accounts {
		ap := fmt.Sprintf("%s[%d]", path, i)
		if !reAccountID.MatchString(id) {
			p.errorf(ap, id, "must be an AWS account id: 12 digits, quoted so that YAML keeps leading zeros")
		} else if j, dup := seen[id]; dup {
			p.errorf(ap, id, "duplicate account (also accounts[%d])", j)
		}
		seen[id] = i
	}
}
