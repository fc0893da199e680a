// Package pattern parses, prints and evaluates CloudWatch Logs filter
// patterns, so that kmswatch can decide offline whether a metric filter
// matches a CloudTrail event the way CloudWatch Logs would.
//
// # Contract
//
// Parse accepts the four forms of the language and reports Kind:
//
//   - KindAll: "" (or only whitespace) matches every event.
//   - KindTerms: words, "quoted phrases", %regex%, -exclusions and ?alternatives,
//     e.g. `ERROR -Exiting`, `?ERROR ?WARN`. A term matches anywhere in the
//     message, inside words too (the AWS docs: ERROR matches "ERRORCODE").
//   - KindJSON: `{ $.sel op value && ... || ... }` with = != < > <= >=,
//     IS NULL, IS TRUE, IS FALSE, NOT EXISTS, parentheses; precedence
//     () > && > ||. Only events whose whole message is JSON can match.
//   - KindSpaceDelimited: `[ip, user, ..., status_code = 4*, bytes > 1000]`.
//
// Errors are *SyntaxError with a 0-based byte offset. Parse enforces AWS's
// 1024-byte filterPattern limit, AWS's quota of two %regex% per pattern and
// AWS's regex character set (letters, digits, :_#=@/;,- and the operators
// ^$?[]{}|\*+. — no parentheses, no spaces, no multibyte characters). It
// adds two local safety limits: MaxDepth nested parentheses (so hostile
// input cannot exhaust the stack) and a bound on a regex's compiled size.
//
// Matching is case-sensitive. For JSON patterns (all cited from the AWS
// "Filter and pattern syntax" guide unless marked as a judgement call):
//
//   - A selector must reach a value node. If it reaches an object, an array
//     or nothing, every comparison fails, = and != alike; only NOT EXISTS
//     matches a missing node. Judgement call: null is not a value node
//     either, so only IS NULL matches it.
//   - A string value (quoted or not) compares textually with the node (a
//     number node compares as its JSON text, a boolean as true or false). '*' at the start and/or end is
//     a wildcard, '*' in the middle is literal, and "*" alone means "present
//     with any value" (what the AWS CDK's FilterPattern.exists emits).
//   - An unquoted number (integer, decimal, exponent, optional sign) compares
//     numerically with a number node or a string that is a number.
//     Judgement call: = and != against a node that is not a number compare
//     the text; < > <= >= never match it.
//   - %regex% is an unanchored search in the node's text; != negates it.
//
// Space-delimited events are split on whitespace; text in "..." or [...] is
// one field without its delimiters. Without "..." the field count must equal
// the slot count; at most one "..." is allowed. A field's conditions,
// joined by && and || (&& first), must all name that field: AWS rejects
// `status_code = 4* && bytes > 1000` although its old docs showed it. Extract returns fields keyed "$name" for named slots and
// "$N" (1-based) for the rest, as TestMetricFilter's extractedValues.
//
// NewEvent parses lazily and once: MatchEvent never re-parses the JSON. JSON
// nested deeper than MaxJSONDepth is treated as not JSON.
//
// # Canonical form
//
// String prints a canonical form; Parse(p.String()) is Equal to p (provided
// the canonical text stays within MaxLength and MaxDepth, which it can
// exceed only for patterns already at those limits). The canonical form is
// valid AWS syntax, because spec/ sends it to AWS for shorthand alarms:
//
//   - JSON: "{ " expr " }". Every comparison is parenthesised, with one
//     space around operators: ($.a.b[0] = "x"). && and || are n-ary and
//     flattened; an || group inside && is parenthesised, && inside || is
//     not (precedence makes it unambiguous). Keywords are upper case:
//     ($.x IS NULL), ($.x NOT EXISTS).
//   - Every string value is double-quoted, with '"' and '\' escaped by a
//     backslash (as the AWS CDK does). Numbers are printed as written
//     (+1000 stays +1000, so the value re-parses exactly). Regexes print as
//     %src%.
//   - Terms: separated by one space; a term of only alphanumerics and '_'
//     is bare, any other is quoted; exclusions print as -term, alternatives
//     as ?term.
//   - Space-delimited: "[" slots joined by ", " "]", conditions as
//     `name op value` joined by " && " / " || ".
package pattern
