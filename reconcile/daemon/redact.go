package daemon

import "github.com/kmswatch/kmswatch/spec/redact"

// The rules live in spec/redact, the one place kmswatch decides what of an endpoint or a
// message may be shown; these wrappers keep the daemon's callers as they were.

// RedactURL returns endpoint's display form (redact.Endpoint): credentials in the user
// information, query values, the fragment and credential-like path segments hidden, a digest
// of the whole appended so that two endpoints stay apart. Text that does not parse as a URL is
// replaced whole.
func RedactURL(endpoint string) string { return redact.Endpoint(endpoint) }

// RedactText redacts every URL found in s (redact.Text).
func RedactText(s string) string { return redact.Text(s) }

// Redact wraps err so that its message has every embedded URL redacted while errors.Is and
// errors.As still see through it; nil stays nil (redact.Error).
func Redact(err error) error { return redact.Error(err) }
