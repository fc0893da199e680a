package redact_test

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/spec/redact"
	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
)

// The fuzz oracle's own definitions, written without the package's helpers so that a bug in the
// package's rules cannot hide itself.
//
// The secret parts of an absolute URL (scheme://host, not opaque) are:
//   - its user information, whole, and the user name and password each, as written and decoded;
//   - every query value (the text after the first '=' of each '&'-separated piece, or the whole
//     piece when it has no '='), as written and decoded;
//   - its fragment, unless it is exactly six lower-case hex digits (a display form's digest);
//   - every path segment holding a UUID or a run of 32 or more letters and digits (the
//     package hides more segments than these; the oracle holds it to at least these);
//
// except the placeholder text REDACTED itself, and any part made up entirely of the URL's
// public text — its scheme, host, the path segments that are not secret, the query keys — and
// URL delimiters: every piece of it between delimiters occurs in the public text. That text is
// shown anyway, so such a part shows up by coincidence ("/abc" after a host ending in abc), and
// whether it leaked cannot be told from the output.
//
// Text that is not an absolute URL is shown as it is only if it is an ARN (arn: and no white
// space), a phone number (only digits, '+', spaces, dots, dashes and parentheses) or an email
// address; otherwise its display form carries nothing of it (REDACTED#hex), except the domain
// of an email address whose local part is hidden.
var (
	oracleUUID   = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)
	oracleLong   = regexp.MustCompile(`[A-Za-z0-9]{32,}`)
	oracleHex6   = regexp.MustCompile(`^[0-9a-f]{6}$`)
	oracleWhole  = regexp.MustCompile(`^REDACTED#[0-9a-f]{6}$`)
	oracleDigest = regexp.MustCompile(`#[0-9a-f]{6}$`)
	// oracleDigestAnywhere: display forms inside a message end before the message does.
	oracleDigestAnywhere = regexp.MustCompile(`#[0-9a-f]{6}`)
)

const urlDelimiters = ":/?#[]@&="

// checkDisplay fails t if out, the display form of in, shows a secret part of in.
func checkDisplay(t *testing.T, in, out string) {
	t.Helper()
	if again := redact.Endpoint(out); again != out {
		t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
	}
	u, err := url.Parse(in)
	if in == "" || err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		checkNonURL(t, in, out)
		return
	}
	if out != in && !oracleDigest.MatchString(out) {
		t.Fatalf("%q hid something but %q has no digest", in, out)
	}
	host := oracleHost(in)
	if !strings.HasPrefix(strings.ToLower(out), u.Scheme+"://") || !strings.Contains(out, host) {
		t.Fatalf("%q lost its scheme or host: %q", in, out)
	}
	secrets, public := oracleParts(in, host, u)
	shown := strings.ReplaceAll(oracleDigest.ReplaceAllString(out, ""), "REDACTED", "#") // a delimiter: pieces around it stay apart
	for _, s := range secrets {
		if s != "" && s != "REDACTED" && !madeOfPublic(s, public) && strings.Contains(shown, s) {
			t.Fatalf("display form %q of %q shows the secret part %q", out, in, s)
		}
	}
}

// madeOfPublic reports whether every piece of s between URL delimiters occurs in public.
func madeOfPublic(s, public string) bool {
	for _, piece := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(urlDelimiters, r) }) {
		if !strings.Contains(public, piece) {
			return false
		}
	}
	return true
}

// oracleHost is the host and port of an absolute URL as written (net/url unescapes them).
func oracleHost(in string) string {
	rest := strings.SplitN(in, "#", 2)[0]
	rest = strings.SplitN(rest, "?", 2)[0]
	rest = rest[strings.Index(rest, "://")+3:]
	authority := strings.SplitN(rest, "/", 2)[0]
	return authority[strings.LastIndex(authority, "@")+1:]
}

func oracleParts(in, host string, u *url.URL) (secrets []string, public string) {
	add := func(raw string, unescape func(string) (string, error)) {
		secrets = append(secrets, raw)
		if plain, err := unescape(raw); err == nil {
			secrets = append(secrets, plain)
		}
	}
	pub := []string{u.Scheme, host, urlDelimiters}
	if u.User != nil {
		add(u.User.String(), url.PathUnescape)
		secrets = append(secrets, u.User.Username())
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
	}
	for _, piece := range strings.Split(u.RawQuery, "&") {
		k, v, ok := strings.Cut(piece, "=")
		if !ok {
			k, v = "", piece
		}
		pub = append(pub, k)
		add(v, url.QueryUnescape)
	}
	if _, f, ok := strings.Cut(in, "#"); ok && !oracleHex6.MatchString(f) {
		add(f, url.PathUnescape)
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		plain, err := url.PathUnescape(seg)
		if err != nil {
			plain = seg
		}
		if oracleUUID.MatchString(plain) || oracleLong.MatchString(plain) {
			add(seg, url.PathUnescape)
		} else {
			pub = append(pub, seg, plain)
		}
	}
	return secrets, strings.Join(pub, "\x01")
}

func checkNonURL(t *testing.T, in, out string) {
	t.Helper()
	if out == in {
		_, err := mail.ParseAddress(in)
		arn := strings.HasPrefix(in, "arn:") && !strings.ContainsAny(in, " \t\r\n")
		phone := in != "" && strings.Trim(in, "+0123456789 ().-") == ""
		if !(in == "" || arn || phone || err == nil || oracleWhole.MatchString(in)) {
			t.Fatalf("%q is shown as it is, but is no ARN, phone number or email address", in)
		}
		return
	}
	if oracleWhole.MatchString(out) {
		return
	}
	at := strings.LastIndexByte(in, '@')
	if at < 0 || out != "REDACTED"+in[at:]+out[len(out)-7:] || !oracleDigest.MatchString(out) {
		t.Fatalf("%q is not shown whole, yet its display form %q is not REDACTED#hex nor REDACTED@domain#hex", in, out)
	}
}

// FuzzEndpoint: whatever the text, its display form shows no secret part of it (the oracle
// above) and is its own display form.
func FuzzEndpoint(f *testing.F) {
	for _, c := range redacttest.Corpus() {
		f.Add(c.Endpoint)
		f.Add(c.Display)
		f.Add(redact.ListedForm(c.Endpoint))
	}
	for _, s := range []string{"", "REDACTED#abcdef", "https://REDACTED@h/REDACTED?REDACTED=REDACTED#012345",
		"https://a@b@c/?x&y=&=z#", "http://[::1]:80/%2F/?%zz=1", "mailto:a@b.c", "a@b.c", "+1 (555) 010-0000",
		"arn:aws:sns:us-east-1:111122223333:endpoint/APNS/app/x", "https://h/a/b;c=d/e?f=g;h#i"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkDisplay(t, in, redact.Endpoint(in))
	})
}

// into maps fuzzed bytes onto an alphabet, so that every input makes a URL whose parts parse
// back as themselves (no input is skipped).
func into(alphabet, s string) string {
	if s == "" {
		return alphabet[:1]
	}
	b := []byte(s)
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(b)
}

const (
	partChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-"
	hostChars = "abcdefghijklmnopqrstuvwxyz0123456789"
	keyChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
)

// FuzzEndpointParts builds https://USER:PASS@HOST/sns/token/SEG?KEY=VAL#FRAG from fuzzed parts,
// so that it knows exactly which are secret — USER, PASS, SEG (it follows the marker segment
// "token"), VAL and FRAG — and checks that none of them shows in the display form, in Text over
// a message quoting the URL, nor in a Redactor's output over the quotings of it that AWS and
// the SDK produce. A secret that also occurs in the public text (scheme, host, "sns", "token",
// KEY, the message's words; see madeOfPublic) is exempt: it is shown anyway.
func FuzzEndpointParts(f *testing.F) {
	f.Add("user", "PASSWORD456", "hooks.example.com", "s3cr3t", "apiKey", "SECRETKEY123", "frag")
	f.Add("a", "b", "h", "c", "k", "v", "f")
	f.Add("REDACTED", "x", "h.example", "REDACTED", "REDACTED", "REDACTED", "abcdef")
	f.Fuzz(func(t *testing.T, user, pass, host, seg, key, val, frag string) {
		user, pass, seg, val, frag = into(partChars, user), into(partChars, pass), into(partChars, seg), into(partChars, val), into(partChars, frag)
		host, key = into(hostChars, host), into(keyChars, key)
		e := "https://" + user + ":" + pass + "@" + host + "/sns/token/" + seg + "?" + key + "=" + val + "#" + frag
		secrets := []string{user, pass, seg, val, frag}
		if oracleHex6.MatchString(frag) {
			secrets = secrets[:4] // a digest-shaped fragment is the display form's own
		}
		const words = `Post "": dial tcp connection refused; InvalidParameter: Invalid parameter: Endpoint is not reachable;
subscribe "": unreachable; {"error":""}; Action=Subscribe&Endpoint=&Protocol=https; <Endpoint></Endpoint>;
listed on the topic; endpoint: `
		public := strings.Join([]string{"https", host, "sns", "token", key, urlDelimiters, words}, "\x01")
		check := func(what, out string) {
			t.Helper()
			shown := strings.ReplaceAll(oracleDigest.ReplaceAllString(out, ""), "REDACTED", "#") // a delimiter: pieces around it stay apart
			shown = oracleDigestAnywhere.ReplaceAllString(shown, "#")
			for _, s := range secrets {
				if s != "REDACTED" && !madeOfPublic(s, public) && strings.Contains(shown, s) {
					t.Fatalf("%s of %q shows the secret %q: %q", what, e, s, out)
				}
			}
		}
		check("display form", redact.Endpoint(e))
		check("Text", redact.Text(`Post "`+e+`": dial tcp connection refused`))
		r := redact.New(e)
		for how, text := range quotings(e) {
			check("Redactor ("+how+")", r.Text(text))
		}
	})
}
