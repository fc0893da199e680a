package daemon

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// redacted replaces a secret in a logged or reported URL.
const redacted = "REDACTED"

// RedactURL returns endpoint with its credentials removed, fit for a log line: the user
// information (an access key as user name, a secret as password) and the value of every query
// parameter (a pre-signed URL carries X-Amz-Security-Token, X-Amz-Credential and
// X-Amz-Signature there; an endpoint has no other business with a query). Text that does not
// parse as a URL is replaced whole, since it cannot be known what part of it is secret.
func RedactURL(endpoint string) string {
	if endpoint == "" {
		return ""
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "<unparsable URL " + redacted + ">"
	}
	if u.User != nil {
		u.User = url.User(redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, url.QueryEscape(k)+"="+redacted)
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" {
		u.Fragment = redacted
	}
	return u.String()
}

// urlInText finds URLs embedded in free text such as an SDK error message, which quotes the
// request URL ("Post \"https://key:secret@host/?X-Amz-Security-Token=...\": dial tcp ...").
var urlInText = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)

// RedactText redacts every URL found in s with RedactURL.
func RedactText(s string) string {
	return urlInText.ReplaceAllStringFunc(s, RedactURL)
}

// redactedError carries an error's message with secrets removed while keeping it unwrappable,
// so errors.Is(err, context.Canceled) and friends still work on what the daemon logs.
type redactedError struct{ err error }

func (e redactedError) Error() string { return RedactText(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// Redact wraps err so that its message has every embedded URL redacted; nil stays nil.
func Redact(err error) error {
	if err == nil {
		return nil
	}
	return redactedError{err}
}
