package pattern

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// maxRegexInst bounds the compiled size of one regex.
const maxRegexInst = 2000

type regexErr struct {
	off int // offset inside the regex source
	msg string
}

// regexOperators and regexSymbols are what AWS's restricted regex allows
// besides ASCII letters and digits ("Supported regular expressions (regex)
// syntax", docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html):
// symbols : _ # = @ / ; , - and operators ^ $ ? [ ] { } | \ * + .
// Parentheses are explicitly unsupported and so are multibyte characters;
// "%something!%" is the docs' own example of a rejected pattern. A space
// is not in the list either, so it is rejected: match it with \s.
const regexSymbols = ":_#=@/;,-^$?[]{}|\\*+."

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
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, &regexErr{0, err.Error()}
	}
	// Local safety limit, not an AWS rule: matching costs time proportional
	// to the program size times the event size, and %.{1000}.{1000}...%
	// would make every match of a 256 KB event take seconds. The size is
	// estimated on the parse tree, before anything is expanded.
	if regexSize(parsed) > maxRegexInst {
		return nil, &regexErr{0, fmt.Sprintf("regular expression is too complex (more than %d instructions)", maxRegexInst)}
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, &regexErr{0, err.Error()}
	}
	return re, nil
}

// regexSize estimates the number of instructions re compiles to, with
// repetitions multiplied out. It saturates above maxRegexInst.
func regexSize(re *syntax.Regexp) int {
	n := 1
	switch re.Op {
	case syntax.OpLiteral:
		n = len(re.Rune)
	case syntax.OpConcat, syntax.OpAlternate:
		n = 0
		for _, sub := range re.Sub {
			n += regexSize(sub)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpCapture:
		n = regexSize(re.Sub[0]) + 1
	case syntax.OpRepeat:
		times := re.Max
		if times < 0 {
			times = re.Min + 1
		}
		n = regexSize(re.Sub[0])*times + 1
	}
	return min(n, maxRegexInst+1)
}
