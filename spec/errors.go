package spec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kmswatch/kmswatch/spec/redact"
)

// FieldError is one problem found in a monitor.yaml file: where it is (file, document, field path)
// and what is wrong with which value. Warnings use the same shape (see Problem).
type FieldError struct {
	// File is the name the file was loaded under ("" when validating values built in code).
	File string
	// Doc is the 1-based position of the document in the file (0: the file as a whole).
	Doc int
	// Path is the field path, JSON names and indexes: spec.alarms[1].period.
	Path string
	// Value is the offending value as the user wrote it ("" when the problem has no single value).
	Value string
	// Msg says what is wrong, and for warnings why it matters.
	Msg string
	// Warning marks a problem that does not make the file invalid. Its message already says
	// what the value does, so Error does not repeat the value.
	Warning bool
}

// Problem is a finding that does not make a file invalid: a warning.
type Problem = FieldError

// Error prints "file: document N: path: msg, got value", leaving out the parts that are empty.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Doc > 0 {
		fmt.Fprintf(&b, "document %d: ", e.Doc)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Value != "" && !e.Warning {
		b.WriteString(", got ")
		b.WriteString(showValue(e.Value))
	}
	return b.String()
}

// String is Error, so that warnings print the same way as errors.
func (e FieldError) String() string { return e.Error() }

// plainValue is what prints without quotes: quoting "45s" would only add noise, but an empty
// value or one with spaces must be visible as such.
var plainValue = regexp.MustCompile(`^[A-Za-z0-9._:/@+=*$#?&%~-]+$`)

// displayDigest ends a display form that hid something (spec/redact).
var displayDigest = regexp.MustCompile(`#[0-9a-f]{6}$`)

func showValue(v string) string {
	const maxShown = 120
	// A display form is never shortened: its digest, at the end, is what tells it apart, and a
	// cut one would no longer be its own display form.
	if len(v) > maxShown && !displayDigest.MatchString(v) {
		v = v[:maxShown] + "…"
	}
	if plainValue.MatchString(v) {
		return v
	}
	return fmt.Sprintf("%q", v)
}

// ErrorList is every problem that makes a file invalid. Load returns it (as an error) so that a
// caller can errors.As it and see each problem; Error prints one problem per line.
type ErrorList []*FieldError

// Error prints one problem per line, in the order they were found.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// problems collects errors and warnings while one document is checked.
type problems struct {
	file     string
	doc      int
	errs     ErrorList
	warnings []Problem
}

func (p *problems) errorf(path, value, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{File: p.file, Doc: p.doc, Path: path, Value: safeValue(path, value), Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) warnf(path, value, format string, args ...any) {
	p.warnings = append(p.warnings, Problem{File: p.file, Doc: p.doc, Path: path, Value: safeValue(path, value), Msg: fmt.Sprintf(format, args...), Warning: true})
}

// safeValue is the one check that no problem about a subscription shows a secret: whatever
// reached the value — an endpoint, a URL pasted where a variable name belongs, a URL written as
// a string where a mapping or list belongs — is shown as its display form (redact.Endpoint)
// unless it is plainly no URL and no token. Display forms are their own display forms, so values
// that validation has already redacted pass unchanged.
func safeValue(path, value string) string {
	if !strings.Contains(path, ".subscriptions") || !strings.ContainsAny(value, ":/@?=#&%") && !redact.LooksLikeToken(value) {
		return value
	}
	return redact.Endpoint(value)
}
