package redact_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/spec/redact"
	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
)

// TestCorpusDisplayForms runs Endpoint over every endpoint of the shared corpus: the display
// form is the pinned one, holds none of the endpoint's secrets, is its own display form, and is
// the endpoint itself exactly when nothing in it is secret.
func TestCorpusDisplayForms(t *testing.T) {
	corpus := redacttest.Corpus()
	if len(corpus) < 30 {
		t.Fatalf("corpus has %d endpoints; the embedded file did not load", len(corpus))
	}
	seen := map[string]string{}
	for _, c := range corpus {
		t.Run(c.Name, func(t *testing.T) {
			got := redact.Endpoint(c.Endpoint)
			if got != c.Display {
				t.Errorf("Endpoint(%s)\n got %s\nwant %s", c.Endpoint, got, c.Display)
			}
			for _, s := range c.Secrets {
				if strings.Contains(got, s) {
					t.Errorf("display form %s holds the secret %q", got, s)
				}
			}
			if again := redact.Endpoint(got); again != got {
				t.Errorf("display form is not a fixed point: %s -> %s", got, again)
			}
			if (len(c.Secrets) == 0) != (got == c.Endpoint) {
				t.Errorf("secrets %q but display %s of %s", c.Secrets, got, c.Endpoint)
			}
			if other, dup := seen[got]; dup {
				t.Errorf("display form %s shared with %s", got, other)
			}
			seen[got] = c.Name
		})
	}
}

var reDisplayDigest = regexp.MustCompile(`#[0-9a-f]{6}$`)

func TestEndpointRules(t *testing.T) {
	cases := []struct {
		name, in string
		want     string // "" with wantRE: compare by pattern, for digests
		wantRE   string
	}{
		{"empty", "", "", ""},
		{"plain URL unchanged", "https://example.com/hook?", "https://example.com/hook?", ""},
		{"empty query value is no secret", "https://example.com/hook?debug=", "https://example.com/hook?debug=", ""},
		{"user only", "https://alice@example.com/x", "", `^https://REDACTED@example\.com/x#[0-9a-f]{6}$`},
		{"query keys kept in order, values hidden", "https://h.example/p?b=2&a=1&b=3", "", `^https://h\.example/p\?b=REDACTED&a=REDACTED&b=REDACTED#[0-9a-f]{6}$`},
		{"token-shaped query key hidden", "https://h.example/p?8f14e45fceea167a5a36dedd4bea2543=1", "", `^https://h\.example/p\?REDACTED=REDACTED#`},
		{"semicolon piece is one value", "https://h.example/p?a=1;b=2", "", `^https://h\.example/p\?a=REDACTED#`},
		{"uuid segment", "https://h.example/a/3f2b8c1e-9d4a-4b7e-8a61-5c0d2e9f7a13/b", "", `^https://h\.example/a/REDACTED/b#`},
		{"escaped token segment", "https://h.example/a/%38f14e45fceea167a5a36dedd4bea2543", "", `^https://h\.example/a/REDACTED#`},
		{"marker keeps hiding", "https://h.example/api/TOKEN/abc/def", "", `^https://h\.example/api/TOKEN/REDACTED/REDACTED#`},
		{"readable words kept", "https://h.example/v1/json/amazon-sns/kms_alerts", "https://h.example/v1/json/amazon-sns/kms_alerts", ""},
		{"date-like digits kept", "https://h.example/integrations/cloudwatch/20131130/alert", "https://h.example/integrations/cloudwatch/20131130/alert", ""},
		{"fragment hidden", "https://h.example/p#anything", "", `^https://h\.example/p#[0-9a-f]{6}$`},
		{"digest fragment kept", "https://h.example/p#0a1b2c", "https://h.example/p#0a1b2c", ""},
		{"placeholders only are a display form", "https://REDACTED@h.example/REDACTED?k=REDACTED&REDACTED#00ff00", "https://REDACTED@h.example/REDACTED?k=REDACTED&REDACTED#00ff00", ""},
		{"escaped placeholder user is a secret", "https://RED%41CTED@h.example/", "", `^https://REDACTED@h\.example/#[0-9a-f]{6}$`},
		{"other scheme", "ftp://u:p@files.example/x", "", `^ftp://REDACTED@files\.example/x#`},
		{"ipv6 host and port", "http://u:p@[::1]:8080/sns", "", `^http://REDACTED@\[::1\]:8080/sns#`},
		{"unparsable URL replaced whole", "https://h.example/%zz?token=abc", "", `^REDACTED#[0-9a-f]{6}$`},
		{"opaque URL replaced whole", "https:user:pass@h.example", "", `^REDACTED#[0-9a-f]{6}$`},
		{"scheme without host replaced whole", "https:///hook?token=abc", "", `^REDACTED#[0-9a-f]{6}$`},
		{"leading space replaced whole", " https://u:p@h.example/", "", `^REDACTED#[0-9a-f]{6}$`},
		{"name and address replaced whole", "Sec Ops <secops@example.com>", "", `^REDACTED#[0-9a-f]{6}$`},
		{"whole form is a display form", "REDACTED#abc123", "REDACTED#abc123", ""},
		{"email kept", "secops+kms@example.com", "secops+kms@example.com", ""},
		{"token email local part hidden", "3f2b8c1e-9d4a-4b7e-8a61-5c0d2e9f7a13@acme.opsgenie.net", "", `^REDACTED@acme\.opsgenie\.net#[0-9a-f]{6}$`},
		{"E.164", "+61400000000", "+61400000000", ""},
		{"local phone", "0400 000 000", "0400 000 000", ""},
		{"sqs arn", "arn:aws:sqs:us-east-1:111122223333:q.fifo", "arn:aws:sqs:us-east-1:111122223333:q.fifo", ""},
		{"china partition arn", "arn:aws-cn:lambda:cn-north-1:111122223333:function:f:$LATEST", "arn:aws-cn:lambda:cn-north-1:111122223333:function:f:$LATEST", ""},
		{"arn-like text with a space replaced whole", "arn:aws:sqs:us-east-1:111122223333:q secret", "", `^REDACTED#`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := redact.Endpoint(tc.in)
			switch {
			case tc.wantRE != "":
				if !regexp.MustCompile(tc.wantRE).MatchString(got) {
					t.Errorf("Endpoint(%q) = %q, want match for %s", tc.in, got, tc.wantRE)
				}
			case got != tc.want:
				t.Errorf("Endpoint(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := redact.Endpoint(got); again != got {
				t.Errorf("not a fixed point: %q -> %q", got, again)
			}
		})
	}
}

// TestDigestTellsSecretsApart: endpoints that differ only in the secret have different display
// forms, and the digest is the only difference.
func TestDigestTellsSecretsApart(t *testing.T) {
	pairs := [][2]string{
		{"https://user:PASSWORD456@hooks.example.com/sns", "https://user:PASSWORD457@hooks.example.com/sns"},
		{"https://events.example.com/i?apiKey=SECRETKEY123", "https://events.example.com/i?apiKey=SECRETKEY124"},
		{"https://hooks.slack.com/services/T0/B0/aaaaaaaaaaaa1111", "https://hooks.slack.com/services/T0/B0/aaaaaaaaaaaa1112"},
		{"not a url 1", "not a url 2"},
	}
	for _, p := range pairs {
		a, b := redact.Endpoint(p[0]), redact.Endpoint(p[1])
		if a == b {
			t.Errorf("%s and %s share the display form %s", p[0], p[1], a)
		}
		if reDisplayDigest.ReplaceAllString(a, "") != reDisplayDigest.ReplaceAllString(b, "") {
			t.Errorf("display forms differ beyond the digest: %s, %s", a, b)
		}
	}
}
