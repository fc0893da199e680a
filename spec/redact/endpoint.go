package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// Placeholder stands where a secret part was.
const Placeholder = "REDACTED"

// DigestLen is the number of hex digits of the digest a display form ends with.
const DigestLen = 6

var (
	// reDigest is a display form's fragment; reWhole is the display form of text replaced whole.
	reDigest = regexp.MustCompile(`^[0-9a-f]{6}$`)
	reWhole  = regexp.MustCompile(`^` + Placeholder + `#[0-9a-f]{6}$`)
	// reARN: the ARNs SNS takes as endpoints (sqs, lambda, firehose, application) and any other.
	reARN = regexp.MustCompile(`^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12})?:[A-Za-z0-9_./:$+=,@-]+$`)
	// rePhone: an SMS endpoint, E.164 or written with the usual separators.
	rePhone = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{2,30}$`)
)

// Endpoint returns the display form of an SNS subscription endpoint of any protocol: the form
// that logs, plans, /status, errors and validation messages show. It never contains a secret
// part of endpoint (see the package documentation for exactly which parts those are), and it
// is stable: the same endpoint always has the same display form, so a plan still tells two
// subscriptions apart and a person can match one to the file.
//
//   - "" stays "".
//   - An absolute URL (http, https or any scheme://host) keeps its scheme, host, port and path
//     shape; its user information, query values, fragment and credential-like path segments
//     become Placeholder, and "#" plus DigestLen hex digits of a digest of the whole original
//     endpoint is appended — so endpoints that differ only in their secret differ in display.
//     A URL with nothing secret is shown as it is.
//   - ARNs (sqs, lambda, firehose, application endpoints), phone numbers (sms) and email
//     addresses are shown as they are: they route, they do not authenticate, and SNS itself
//     returns them verbatim. An email address whose local part looks like a generated token
//     (an integration's inbound address) has the local part hidden.
//   - Anything else, a URL that does not parse included, is replaced whole by Placeholder and
//     the digest: what part of it is secret cannot be known.
//
// Endpoint is idempotent: a display form is its own display form, so text that has been
// redacted once can be redacted again (the daemon redacts every error it logs) without its
// digests changing.
func Endpoint(endpoint string) string {
	switch {
	case endpoint == "", reWhole.MatchString(endpoint), reARN.MatchString(endpoint), rePhone.MatchString(endpoint):
		return endpoint
	}
	if u, err := url.Parse(endpoint); err == nil && u.Scheme != "" && u.Host != "" && u.Opaque == "" {
		return urlDisplay(endpoint, u)
	}
	if a, err := mail.ParseAddress(endpoint); err == nil && a.Address == endpoint && a.Name == "" {
		at := strings.LastIndexByte(endpoint, '@')
		if local := endpoint[:at]; LooksLikeToken(local) && local != Placeholder {
			return Placeholder + endpoint[at:] + "#" + digest(endpoint)
		}
		return endpoint
	}
	return Placeholder + "#" + digest(endpoint)
}

// digest is the short stable fingerprint of a whole endpoint, unkeyed so that every replica
// and every run shows the same one. It is a fingerprint, not a protection: whoever can guess
// the secret can test the guess against it (a wrong guess matches one time in 2^24), so it is
// as safe as the secret is hard to guess — fine for the generated keys integrations issue, not
// for a dictionary password in basic authentication.
func digest(endpoint string) string {
	sum := sha256.Sum256([]byte("kmswatch.dev/redact/v1\x00" + endpoint))
	return hex.EncodeToString(sum[:])[:DigestLen]
}

// urlDisplay renders a parsed URL's display form; raw is the text it was parsed from.
func urlDisplay(raw string, u *url.URL) string {
	var b strings.Builder
	secret := false
	b.WriteString(u.Scheme)
	b.WriteString("://")
	if u.User != nil {
		// The whole user information: an access key or API key as the user name is as secret
		// as a password.
		secret = secret || rawUserinfo(raw) != Placeholder
		b.WriteString(Placeholder + "@")
	}
	b.WriteString(rawHost(raw))
	path, hidden := displayPath(u.EscapedPath())
	secret = secret || hidden
	b.WriteString(path)
	if u.RawQuery != "" || u.ForceQuery {
		query, hidden := displayQuery(u.RawQuery)
		secret = secret || hidden
		b.WriteString("?")
		b.WriteString(query)
	}
	// A fragment is never sent to the server, so it is not a credential SNS could use; but it is
	// the user's text and may hold anything, so it is hidden — unless it is a display form's
	// digest, which is what makes display forms fixed points.
	if _, f, ok := strings.Cut(raw, "#"); ok && f != "" && !reDigest.MatchString(f) {
		secret = true
	}
	if !secret {
		return raw
	}
	b.WriteString("#")
	b.WriteString(digest(raw))
	return b.String()
}

// displayPath hides the credential segments of an escaped path and reports whether it did.
func displayPath(path string) (string, bool) {
	segments := strings.Split(path, "/")
	hidden, afterMarker := false, false
	for i, seg := range segments {
		if seg == "" || seg == Placeholder {
			continue
		}
		plain, err := url.PathUnescape(seg)
		if err != nil {
			plain = seg
		}
		if afterMarker || LooksLikeToken(plain) || LooksLikeToken(seg) {
			segments[i] = Placeholder
			hidden = true
			continue
		}
		afterMarker = isMarker(plain)
	}
	return strings.Join(segments, "/"), hidden
}

// displayQuery hides every query value, and every key that does not look like a plain name,
// and reports whether it hid anything. It splits the raw query itself rather than parsing it,
// so that order, duplicates and pieces that do not parse are all kept in shape.
func displayQuery(query string) (string, bool) {
	pieces := strings.Split(query, "&")
	hidden := false
	for i, piece := range pieces {
		if piece == "" || piece == Placeholder {
			continue
		}
		k, v, hasValue := strings.Cut(piece, "=")
		if !hasValue {
			// A bare piece (?SECRETKEY) is a value.
			pieces[i] = Placeholder
			hidden = true
			continue
		}
		plain, err := url.QueryUnescape(k)
		if err != nil {
			plain = k
		}
		if k != Placeholder && !isPlainQueryKey(plain) {
			k = Placeholder
			hidden = true
		}
		if v != "" && v != Placeholder {
			v = Placeholder
			hidden = true
		}
		pieces[i] = k + "=" + v
	}
	return strings.Join(pieces, "&"), hidden
}

// rawUserinfo and rawHost are the user information and the host (with port) of an absolute
// URL as written — net/url unescapes both — cut from the text the way net/url cuts it: the
// fragment and the query first, then the authority up to the first '/', then the authority's
// last '@'.
func rawUserinfo(raw string) string {
	info, _ := splitAuthority(raw)
	return info
}

func rawHost(raw string) string {
	_, host := splitAuthority(raw)
	return host
}

func splitAuthority(raw string) (userinfo, host string) {
	rest, _, _ := strings.Cut(raw, "#")
	rest, _, _ = strings.Cut(rest, "?")
	_, rest, _ = strings.Cut(rest, "://")
	authority, _, _ := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		return authority[:at], authority[at+1:]
	}
	return "", authority
}
