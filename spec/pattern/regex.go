package pattern

import (
	"fmt"
	"regexp"
	"strings"
)

type regexErr struct {
	off int // offset inside the regex source
	msg string
}

// regexOperators and regexSymbols are what AWS's restricted regex allows
// besides ASCII letters and digits ("Supported regular expressions (regex)
// syntax", docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html):
// symbols : _ # = @ / ; , - and operators ^ $ ? [ ] { } | \ * + .
// Parentheses are explicitly unsupported and so are multibyte characters;
// "%something!%" is the docs' own example of a rejected pattern.
//
// Judgement call: a space is accepted too. The AWS list omits it, but
// matching text with spaces is the common case and the CDK's own example
// regexValue('$.message', '=', 'bind: address already in use') has spaces.
const regexSymbols = ":_#=@/;,- ^$?[]{}|\\*+."

func compileRegex(src string) (*regexp.Regexp, *regexErr) {
	if src == "" {
		return nil, &regexErr{0, "empty regular expression"}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c >= 0x80 {
			return nil, &regexErr{i, "multibyte characters are not supported in regular expressions"}
		}
		if !isAlnum(c) && strings.IndexByte(regexSymbols, c) < 0 {
			return nil, &regexErr{i, fmt.Sprintf("character %q is not supported in regular expressions", c)}
		}
	}
	// What remains is a subset of RE2 syntax; Go's regexp compiles it with
	// the same meaning (classes, {m,n}, anchors, \d \w \s, alternation).
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, &regexErr{0, err.Error()}
	}
	return re, nil
}
