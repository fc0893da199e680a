package pattern

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	long := `{ $.a = "` + strings.Repeat("x", 1020) + `" }`
	deep := "{ " + strings.Repeat("(", 101) + "$.a = 1" + strings.Repeat(")", 101) + " }"
	for _, tc := range []struct {
		pattern string
		offset  int
		msg     string
	}{
		{`{ $.eventName == "x" }`, 14, `expected an operator (= != < > <= >=) after selector $.eventName, got "=="`},
		{`{ $.a =! "x" }`, 7, `expected a value after "=", got "!"`},
		{`{ $.a }`, 6, `expected an operator (= != < > <= >=) after selector $.a, got "}"`},
		{`{ $.a = }`, 8, `expected a value after "=", got "}"`},
		{`{ $.a = 1`, 9, `expected "&&", "||" or "}", got end of pattern`},
		{`{ }`, 2, `empty JSON pattern: expected a selector such as $.eventName`},
		{`{ eventName = x }`, 2, `expected a selector such as $.eventName or "(", got "eventName"`},
		{`{ $ = x }`, 2, `selector must name a property, as in $.eventName`},
		{`{ $[0] = x }`, 3, `an array index must follow a property, as in $.users[0]`},
		{`{ $.a. = x }`, 6, `expected a property name after "." in selector, got " "`},
		{`{ $.a[x] = 1 }`, 6, `expected an array index of 1 to 9 digits, got "x"`},
		{`{ $.a[1 = 1 }`, 7, `expected "]" to close "[" at offset 5, got " "`},
		{`{ $.a > "5" }`, 8, `expected a number after ">", got a quoted string`},
		{`{ $.a >= abc }`, 9, `expected a number after ">=", got "abc"`},
		{`{ $.a < %x% }`, 8, `expected a number after "<", got a regular expression`},
		{`{ $.a = "abc }`, 8, `unterminated quoted string`},
		{`{ $.a = a@b }`, 9, `unquoted value "a" is followed by "@"; quote values that contain it`},
		{`{ $.a IS MAYBE }`, 6, `expected an operator, IS NULL, IS TRUE, IS FALSE or NOT EXISTS after selector $.a, got "IS MAYBE"`},
		{`{ ($.a = 1 }`, 11, `expected "&&", "||" or ")" to close "(" at offset 2, got "}"`},
		{`{ $.a = 1 && }`, 13, `expected a selector such as $.eventName or "(", got "}"`},
		{`{ $.a = 1 } x`, 12, `unexpected "x" after the closing }`},
		{`{ $.a = 1 & $.b = 2 }`, 10, `expected "&&", "||" or "}", got "&"`},
		{`{ $.a = %abc }`, 8, `unterminated regular expression: missing closing %`},
		{`{ $.a = %(a)% }`, 9, `invalid regular expression %(a)%: character '(' is not supported in regular expressions`},
		{`%something!%`, 10, `invalid regular expression %something!%: character '!' is not supported in regular expressions`},
		{`{ $.a = %a b% }`, 10, `invalid regular expression %a b%: character ' ' is not supported in regular expressions`},
		{`{ $.a = %` + strings.Repeat(`.{1000}`, 3) + `% }`, 9, `invalid regular expression %` + strings.Repeat(`.{1000}`, 3) + `%: regular expression is too complex (more than 2000 instructions)`},
		{`{ $.a = %% }`, 9, `invalid regular expression %%: empty regular expression`},
		{`{ $.a = %a% || $.b = %b% || $.c = %c% }`, 34, `more than 2 regular expressions in one pattern (AWS quota)`},
		{`{ $.a = %[a% }`, 9, "invalid regular expression %[a%: error parsing regexp: missing closing ]: `[a`"},
		{`{ $.a = %é% }`, 9, `invalid regular expression %é%: multibyte characters are not supported in regular expressions`},
		{long, 1024, `pattern is 1032 characters long, the maximum is 1024`},
		{`{ $.a = "` + strings.Repeat("é", 1020) + `" }`, 9 + 2*1015, `pattern is 1032 characters long, the maximum is 1024`},
		{deep, 102, `parentheses nested deeper than 100`},
		{`ERROR -`, 7, `expected a term after "-", got end of pattern`},
		{`?`, 1, `expected a term after "?", got end of pattern`},
		{`"unterminated`, 0, `unterminated quoted string`},
		{`[a, b`, 5, `expected "," or "]" to close "[" at offset 0, got end of pattern`},
		{`[]`, 0, `empty space-delimited pattern: name at least one field`},
		{`[..., a, ...]`, 9, `only one "..." is allowed; the first is at offset 1`},
		{`[a b]`, 3, `expected "&&", "||", "," or "]", got "b"`},
		{`[a && b = 1]`, 3, `expected an operator after field "a", got "&&"`},
		{`[a = 1 && b]`, 11, `expected an operator (= != < > <= >=) after field "b", got "]"`},
		{`[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`, 61, `condition on field "bytes" inside the field "status_code": conditions of one field must all name it`},
		{`[w = 1 || v = 2]`, 10, `condition on field "v" inside the field "w": conditions of one field must all name it`},
		{`[a > x]`, 5, `expected a number after ">", got "x"`},
		{`[=1]`, 1, `expected a field name, got "="`},
		{`[a] x`, 4, `unexpected "x" after the closing ]`},
	} {
		_, err := Parse(tc.pattern)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%.60q) = %v, want a *SyntaxError", tc.pattern, err)
			continue
		}
		if se.Offset != tc.offset || se.Msg != tc.msg {
			t.Errorf("Parse(%.60q):\n got offset %d: %s\nwant offset %d: %s", tc.pattern, se.Offset, se.Msg, tc.offset, tc.msg)
		}
		want := "filter pattern: at offset " + strconv.Itoa(tc.offset) + ": " + tc.msg
		if err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
	}
}

// TestRoundTrip prints every valid table pattern and parses it back.
func TestRoundTrip(t *testing.T) {
	for _, tc := range matchCases {
		checkRoundTrip(t, tc.pattern)
	}
}

func checkRoundTrip(t *testing.T, text string) {
	t.Helper()
	p, err := Parse(text)
	if err != nil {
		t.Errorf("Parse(%q): %v", text, err)
		return
	}
	canon := p.String()
	q, err := Parse(canon)
	if err != nil {
		t.Errorf("Parse(String()) of %q: canonical %q: %v", text, canon, err)
		return
	}
	if !Equal(p, q) {
		t.Errorf("Parse(%q).String() = %q re-parses to a different tree", text, canon)
	}
	if again := q.String(); again != canon {
		t.Errorf("String is not a fixed point: %q then %q", canon, again)
	}
	if p.Kind() != q.Kind() {
		t.Errorf("kind changed from %v to %v", p.Kind(), q.Kind())
	}
}

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}`,
			`{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) }`},
		{labPattern,
			`{ ($.errorCode = "*") && ($.eventSource = "kms.amazonaws.com") && ($.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::111122223333:role/pattern1-app-Pattern1ECSTaskRole") }`},
		{`{ $.a = 1 || $.b = 2 && $.c = 3 }`, `{ ($.a = 1) || ($.b = 2) && ($.c = 3) }`},
		{`{ ((($.a = 1 && ($.b = 2)))) && $.c = 3 }`, `{ ($.a = 1) && ($.b = 2) && ($.c = 3) }`},
		{`{ $.x is null || $.y not exists || $.z Is True }`, `{ ($.x IS NULL) || ($.y NOT EXISTS) || ($.z IS TRUE) }`},
		{`{ $.latency > +1000 }`, `{ ($.latency > +1000) }`},
		{`{ $.m = "a\"b\\c\d" }`, `{ ($.m = "a\"b\\c\\d") }`},
		{`{ $.m != %^a.b$% }`, `{ ($.m != %^a.b$%) }`},
		{`"ERROR" - "Exiting"`, `ERROR -Exiting`},
		{`?ERROR ?"WARN x"`, `?ERROR ?"WARN x"`},
		{`ERROR: x`, `"ERROR:" x`},
		{`[ip,user,...,status_code=4*&&status_code!=403||status_code=5*]`, `[ip, user, ..., status_code = "4*" && status_code != 403 || status_code = "5*"]`},
		{`[..., request=*.html*, status_code=4*,]`, `[..., request = "*.html*", status_code = "4*", ]`},
		{`  `, ``},
	} {
		p, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := p.String(); got != tc.want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", tc.in, got, tc.want)
		}
		checkRoundTrip(t, tc.in)
	}
}

func TestKind(t *testing.T) {
	for in, want := range map[string]Kind{
		"": KindAll, " ": KindAll, "ERROR": KindTerms, "%x%": KindTerms,
		"{ $.a = 1 }": KindJSON, "[a]": KindSpaceDelimited,
	} {
		p, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if p.Kind() != want {
			t.Errorf("Parse(%q).Kind() = %v, want %v", in, p.Kind(), want)
		}
	}
}

func TestEqual(t *testing.T) {
	parse := func(s string) *Pattern {
		p, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		return p
	}
	same := [][2]string{
		{`{$.a=x}`, `{ ($.a = "x") }`},
		{`{ $.a = 1 && ($.b = 2 && $.c = 3) }`, `{ $.a = 1 && $.b = 2 && $.c = 3 }`},
		{`"ERROR"`, `ERROR`},
		{`[a,b=1]`, `[ a , b = 1 ]`},
	}
	for _, c := range same {
		if !Equal(parse(c[0]), parse(c[1])) {
			t.Errorf("Equal(%q, %q) = false, want true", c[0], c[1])
		}
	}
	differ := [][2]string{
		{`{$.a=x}`, `{$.a!=x}`},
		{`{$.a=1}`, `{$.a="1"}`},
		{`{$.a=1}`, `{$.a=1.0}`},
		{`{$.a=x || $.b=y}`, `{$.a=x && $.b=y}`},
		{`{$.a[0]=x}`, `{$.a.0=x}`},
		{`{$.a=%x%}`, `{$.a="%x%"}`},
		{`ERROR`, `-ERROR`},
		{`?ERROR`, `ERROR`},
		{`[a, ...]`, `[a, b]`},
		{`[a=1]`, `[a]`},
		{`ERROR`, `[ERROR]`},
	}
	for _, c := range differ {
		if Equal(parse(c[0]), parse(c[1])) {
			t.Errorf("Equal(%q, %q) = true, want false", c[0], c[1])
		}
	}
	if !Equal(nil, nil) || Equal(parse("x"), nil) {
		t.Error("Equal with nil is wrong")
	}
}

func TestLimitsBoundary(t *testing.T) {
	exact := `{ $.a = "` + strings.Repeat("x", 1024-len(`{ $.a = "" }`)) + `" }`
	if len(exact) != MaxLength {
		t.Fatalf("test pattern is %d bytes", len(exact))
	}
	if _, err := Parse(exact); err != nil {
		t.Errorf("a pattern of exactly %d characters: %v", MaxLength, err)
	}
	deep := "{ " + strings.Repeat("(", MaxDepth) + "$.a = 1" + strings.Repeat(")", MaxDepth) + " }"
	if _, err := Parse(deep); err != nil {
		t.Errorf("%d nested parentheses: %v", MaxDepth, err)
	}
	two := `{ $.a = %a% && $.b != %b% }`
	if _, err := Parse(two); err != nil {
		t.Errorf("two regexes: %v", err)
	}
}
