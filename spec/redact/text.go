package redact

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// urlInText finds URLs in free text such as an SDK error, which quotes the request URL
// (Post "https://key:secret@host/?X-Amz-Security-Token=…": dial tcp …). A URL ends at white
// space, a quote or an angle bracket.
var urlInText = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)

// Text replaces every URL found in s with its display form (Endpoint). It knows no endpoint in
// particular: for text that may quote one of a monitor's endpoints in another form (escaped,
// or as SNS lists it), use a Redactor built from the endpoints.
func Text(s string) string {
	return urlInText.ReplaceAllStringFunc(s, scrubURL)
}

// scrubURL redacts one URL found in text. Sentence punctuation after a URL ("see <url>.") is
// left outside it only when the URL without it has nothing to hide — a display form, most
// often — so that redacted text stays as it is when redacted again. Otherwise the punctuation
// is taken for part of the URL: it may be the last character of a secret.
func scrubURL(match string) string {
	trimmed := strings.TrimRight(match, ".,;:!?)]}")
	if trimmed != match && strings.Contains(trimmed, "://") && Endpoint(trimmed) == trimmed {
		return match
	}
	return Endpoint(match)
}

// Error wraps err so that its message passes through Text; nil stays nil. The wrapper unwraps
// to err, so errors.Is and errors.As see through it (context.Canceled and friends).
func Error(err error) error {
	if err == nil {
		return nil
	}
	return redactedError{err: err, text: Text}
}

type redactedError struct {
	err  error
	text func(string) string
}

func (e redactedError) Error() string { return e.text(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// MinSecretLen is the shortest secret part a Redactor looks for on its own in free text.
// Shorter ones (a four-letter user name) would hide ordinary words all over a message; they are
// still hidden wherever the endpoint that holds them appears.
const MinSecretLen = 6

// Redactor redacts free text that may mention known endpoints — AWS echoes an endpoint back in
// an error, the SDK quotes it, SNS lists it with the password masked. It replaces, longest
// first:
//
//   - each endpoint as written, and as it reads escaped for a URL query, for JSON and for
//     HTML/XML, and as SNS's List actions show it (ListedForm), with the endpoint's display form;
//   - each secret part of an endpoint that is distinctive enough to look for on its own (see
//     bareSecrets), as written and unescaped, with Placeholder;
//
// and then every other URL with Text. A nil *Redactor redacts as Text does.
type Redactor struct {
	replacer *strings.Replacer
}

// New returns a Redactor for the given endpoints.
func New(endpoints ...string) *Redactor {
	pairs := map[string]string{}
	for _, e := range endpoints {
		display := Endpoint(e)
		if display == e {
			continue
		}
		for _, form := range escapedForms(e) {
			pairs[form] = display
		}
		for _, part := range bareSecrets(e) {
			if _, taken := pairs[part]; !taken {
				pairs[part] = Placeholder
			}
		}
	}
	olds := make([]string, 0, len(pairs))
	for old := range pairs {
		olds = append(olds, old)
	}
	// strings.Replacer tries its old strings in argument order at each position: longest first,
	// so that a whole endpoint wins over the secret inside it.
	sort.Slice(olds, func(i, j int) bool {
		if len(olds[i]) != len(olds[j]) {
			return len(olds[i]) > len(olds[j])
		}
		return olds[i] < olds[j]
	})
	args := make([]string, 0, 2*len(olds))
	for _, old := range olds {
		args = append(args, old, pairs[old])
	}
	return &Redactor{replacer: strings.NewReplacer(args...)}
}

// Text redacts s.
func (r *Redactor) Text(s string) string {
	if r != nil && r.replacer != nil {
		s = r.replacer.Replace(s)
	}
	return Text(s)
}

// Error wraps err so that its message passes through r.Text; nil stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return redactedError{err: err, text: r.Text}
}

// escapedForms are the ways an endpoint is commonly quoted in text.
func escapedForms(e string) []string {
	forms := []string{e, url.QueryEscape(e), html.EscapeString(e), ListedForm(e)}
	if j, err := json.Marshal(e); err == nil {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	return forms
}

// bareSecrets lists what a Redactor looks for on its own in free text: the secret parts of an
// endpoint (those its display form hides, as written and unescaped), and the pieces of each
// between URL delimiters. A user name or password counts from MinSecretLen characters on; any
// other part or piece only if it also looks generated (letters and digits, or LooksLikeToken),
// so that a hidden readable word such as "notify" after a marker segment is not hidden in every
// message that happens to use it.
func bareSecrets(e string) []string {
	var out []string
	keep := func(p string, always bool) {
		if len(p) >= MinSecretLen && p != Placeholder && (always || generated(p)) {
			out = append(out, p)
		}
	}
	for _, p := range secretParts(e) {
		keep(p.text, p.credential)
		for _, piece := range strings.FieldsFunc(p.text, isURLDelimiter) {
			keep(piece, false)
		}
	}
	return out
}

func isURLDelimiter(r rune) bool { return strings.ContainsRune("/?#[]@!$&'()*+,;=:% ", r) }

func generated(s string) bool {
	if LooksLikeToken(s) {
		return true
	}
	letter := strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
	return letter && strings.ContainsAny(s, "0123456789")
}

// secretPart is one part of an endpoint that its display form hides; credential marks the user
// information, which is secret whatever it looks like.
type secretPart struct {
	text       string
	credential bool
}

// secretParts lists the parts of an endpoint that its display form hides, as written and
// unescaped. It mirrors Endpoint's rules; the fuzz test holds Endpoint to an oracle written
// independently of both.
func secretParts(e string) []secretPart {
	var parts []secretPart
	addAs := func(credential bool, raw string, unescape func(string) (string, error)) {
		if raw == "" || raw == Placeholder {
			return
		}
		parts = append(parts, secretPart{raw, credential})
		if plain, err := unescape(raw); err == nil && plain != raw {
			parts = append(parts, secretPart{plain, credential})
		}
	}
	add := func(raw string, unescape func(string) (string, error)) { addAs(false, raw, unescape) }
	u, err := url.Parse(e)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		// Emails with a token local part and text replaced whole: the whole is the secret, and
		// so is an email's local part on its own.
		parts = []secretPart{{e, false}}
		if at := strings.LastIndexByte(e, '@'); at > 0 {
			parts = append(parts, secretPart{e[:at], false})
		}
		return parts
	}
	if info := rawUserinfo(e); info != "" {
		user, pass, _ := strings.Cut(info, ":")
		addAs(true, user, url.PathUnescape)
		addAs(true, pass, url.PathUnescape)
	}
	if _, f, ok := strings.Cut(e, "#"); ok {
		add(f, url.PathUnescape)
	}
	for _, piece := range strings.Split(u.RawQuery, "&") {
		k, v, hasValue := strings.Cut(piece, "=")
		if !hasValue {
			v = k
		} else if plain, err := url.QueryUnescape(k); err == nil && !isPlainQueryKey(plain) {
			add(k, url.QueryUnescape)
		}
		add(v, url.QueryUnescape)
	}
	if path, hidden := displayPath(u.EscapedPath()); hidden {
		kept := strings.Split(path, "/")
		for i, seg := range strings.Split(u.EscapedPath(), "/") {
			if i < len(kept) && kept[i] == Placeholder {
				add(seg, url.PathUnescape)
			}
		}
	}
	return parts
}
