package redact_test

import (
	"testing"

	"github.com/kmswatch/kmswatch/spec/redact"
)

// TestListedForm: the shapes the sources document (see ListedForm), and the cases around them.
func TestListedForm(t *testing.T) {
	cases := []struct{ in, want string }{
		// terraform-provider-aws's table of what SNS lists.
		{"https://example.com/myroute", "https://example.com/myroute"},
		{"https://username@example.com/myroute", "https://username@example.com/myroute"},
		{"https://username:password@example.com/myroute", "https://username:****@example.com/myroute"},
		// SaltStack's example.
		{"https://foo:bar@foo.com", "https://foo:****@foo.com"},
		// The mask is four asterisks whatever the password's length; the rest is kept as written.
		{"https://u:a@h.example:8443/p?apiKey=K1#f", "https://u:****@h.example:8443/p?apiKey=K1#f"},
		{"https://u:p%40ss%3Aword@h.example/", "https://u:****@h.example/"},
		{"http://alertbot:hunter2hunter2@10.0.0.5:8080/sns", "http://alertbot:****@10.0.0.5:8080/sns"},
		{"HTTPS://u:p@h.example/", "HTTPS://u:****@h.example/"},
		// '@' in the path or query is not user information.
		{"https://h.example/a@b?x=u:p@q", "https://h.example/a@b?x=u:p@q"},
		{"https://u:p@h.example/a@b", "https://u:****@h.example/a@b"},
		// Only the last '@' of the authority ends the user information, as in net/url.
		{"https://u:p@x@h.example/", "https://u:****@h.example/"},
		// Nothing to mask.
		{"https://u:@h.example/", "https://u:@h.example/"},
		// Query and path secrets are listed verbatim.
		{"https://events.pagerduty.com/integration/8f14e45fceea167a5a36dedd4bea2543/enqueue", "https://events.pagerduty.com/integration/8f14e45fceea167a5a36dedd4bea2543/enqueue"},
		{"https://api.opsgenie.com/v1/json/amazonsns?apiKey=3f2b8c1e-9d4a-4b7e-8a61-5c0d2e9f7a13", "https://api.opsgenie.com/v1/json/amazonsns?apiKey=3f2b8c1e-9d4a-4b7e-8a61-5c0d2e9f7a13"},
		// Other protocols.
		{"secops@example.com", "secops@example.com"},
		{"arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:sqs:us-east-1:111122223333:q"},
		{"ftp://u:p@h.example/", "ftp://u:p@h.example/"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := redact.ListedForm(tc.in); got != tc.want {
			t.Errorf("ListedForm(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMatchListed: a desired endpoint against what SNS (masking) or moto (verbatim) lists.
func TestMatchListed(t *testing.T) {
	const desired = "https://user:PASSWORD456@hooks.example.com/sns?apiKey=SECRETKEY123"
	cases := []struct {
		name            string
		desired, listed string
		want            redact.ListMatch
	}{
		{"listed verbatim (moto, the emulator before masking)", desired, desired, redact.SameEndpoint},
		{"listed masked (AWS)", desired, "https://user:****@hooks.example.com/sns?apiKey=SECRETKEY123", redact.SamePasswordMasked},
		{"another password, listed verbatim", desired, "https://user:PASSWORD457@hooks.example.com/sns?apiKey=SECRETKEY123", redact.NoMatch},
		{"another user", desired, "https://admin:****@hooks.example.com/sns?apiKey=SECRETKEY123", redact.NoMatch},
		{"another host", desired, "https://user:****@hooks.example.org/sns?apiKey=SECRETKEY123", redact.NoMatch},
		{"another query key value", desired, "https://user:****@hooks.example.com/sns?apiKey=SECRETKEY124", redact.NoMatch},
		{"without credentials", desired, "https://hooks.example.com/sns?apiKey=SECRETKEY123", redact.NoMatch},
		{"no password desired", "https://user@hooks.example.com/sns", "https://user@hooks.example.com/sns", redact.SameEndpoint},
		{"no password desired, masked listing of another", "https://user@hooks.example.com/sns", "https://user:****@hooks.example.com/sns", redact.NoMatch},
		{"path token", "https://events.pagerduty.com/integration/8f14e45fceea167a5a36dedd4bea2543/enqueue", "https://events.pagerduty.com/integration/8f14e45fceea167a5a36dedd4bea2543/enqueue", redact.SameEndpoint},
		{"path token rotated", "https://events.pagerduty.com/integration/8f14e45fceea167a5a36dedd4bea2543/enqueue", "https://events.pagerduty.com/integration/c9f0f895fb98ab9159f51fd0297e236d/enqueue", redact.NoMatch},
		{"email", "secops@example.com", "secops@example.com", redact.SameEndpoint},
		{"email case differs", "secops@example.com", "SecOps@example.com", redact.NoMatch},
		{"the desired password is the mask", "https://user:****@h.example/", "https://user:****@h.example/", redact.SameEndpoint},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact.MatchListed(tc.desired, tc.listed); got != tc.want {
				t.Errorf("MatchListed(%q, %q) = %v, want %v", tc.desired, tc.listed, got, tc.want)
			}
		})
	}
}
