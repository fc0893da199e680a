package audit

import (
	"strings"
	"unicode"

	"github.com/kmswatch/kmswatch/spec/presets"
)

// How Security Hub compares a metric filter's pattern is not public code. What is public:
//
//   - the control pages say "This control fails if the exact metric filters prescribed by CIS
//     are not used. Additional fields or terms cannot be added to the metric filters"
//     (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html);
//   - AWS Support told users that the check compares the pattern with the one defined, with no
//     regex and no evaluation on sample events; an extra pair of parentheses failed it
//     (terraform-aws-modules/terraform-aws-cloudwatch#50, aws-quickstart/
//     quickstart-compliance-cis-benchmark#32), and so did added terms (#35 there);
//   - AWS's own texts of one pattern differ in spacing (the Security Hub page against the CIS
//     PDFs it cites), and modules that pass the check print the patterns with CIS's spacing.
//
// So a filter passes when its pattern equals one of the control's published texts once
// whitespace outside quoted values is removed: spacing is free, while quoted values ("Failed
// authentication"), parentheses, terms and their order must be as published. A control's texts
// are the Security Hub page's and the CIS Benchmark's (spec/presets records each with its
// source); for CloudWatch.4 and .13 the page now publishes an eventSource-limited pattern next to
// the CIS one, and both are accepted.

// squeeze removes whitespace outside double-quoted values, keeping escaped quotes inside them.
func squeeze(pattern string) string {
	var b strings.Builder
	quoted, escaped := false, false
	for _, r := range pattern {
		switch {
		case escaped:
			escaped = false
		case quoted && r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && unicode.IsSpace(r):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// matchesControl reports whether a metric filter pattern is one of the control's published
// texts, as Security Hub compares them.
func matchesControl(pattern string, c presets.Control) bool {
	got := squeeze(pattern)
	for _, text := range c.Texts() {
		if got == squeeze(text) {
			return true
		}
	}
	return false
}
