// Package redact keeps the secrets that SNS subscription endpoints carry out of everything
// kmswatch prints: logs, plans, /status, --output json, validation messages and errors. It is a
// leaf package (standard library only) so that spec, reconcile, the daemon and the emulator can
// all use the one set of rules.
//
// On-call tools take SNS over HTTPS with the credential in the URL: an API key in the query
// (?apiKey=, ?api_key=, ?token=, Azure's ?code= and ?sig=), a key or token in the path
// (PagerDuty, Splunk On-Call, Slack, Teams, Chime and Discord webhooks), or basic
// authentication in the user information (https://user:password@host/), which SNS supports.
//
// # Contract
//
// Endpoint turns one endpoint of any protocol into its display form. The secret parts of an
// endpoint — what a display form never contains — are, for an absolute URL: the user
// information (user name and password), every query value, every query key that does not look
// like a plain name, the fragment, and each path segment that looks like a credential (a UUID,
// a run of 16 or more hex digits, a long run of letters and digits that is not a plain word)
// or that follows a marker segment such as token, key, secret, hooks or webhooks. For text that
// is neither a URL, an ARN, a phone number nor an email address, the whole text is secret; for
// an email address whose local part looks like a token, the local part is. ARNs, phone numbers,
// plain email addresses, schemes, hosts, ports, marker segments and plain path segments are not
// secret and are shown. A display form that hid anything ends in "#" and a digest of the whole
// endpoint (DigestLen hex digits), so that two endpoints differing only in their secret are told
// apart; display forms are fixed points of Endpoint.
//
// Text and Error scrub free text of every URL in it; a Redactor also knows a monitor's
// endpoints and replaces them (and their secret parts) wherever and however they are quoted.
//
// ListedForm and MatchListed capture how SNS lists endpoints with credentials (the password
// masked, see ListedForm for the sources) and how a controller matches a listed subscription to
// a desired one without re-subscribing on every pass.
package redact
