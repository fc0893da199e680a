package redact_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/spec/redact"
	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
)

func TestText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"no url here", "no url here"},
		{`Post "http://127.0.0.1:4566/": dial tcp`, `Post "http://127.0.0.1:4566/": dial tcp`},
		// Punctuation after a URL may end a secret: it is hidden with the URL...
		{"see https://h.example/x?token=abc.", "see " + redact.Endpoint("https://h.example/x?token=abc.")},
		{"(https://u:p@h.example/)", "(" + redact.Endpoint("https://u:p@h.example/)")},
		// ... unless the URL has nothing to hide, as a display form has not.
		{"see https://h.example/x.", "see https://h.example/x."},
		{"see " + redact.Endpoint("https://h.example/x?token=abc") + ".", "see " + redact.Endpoint("https://h.example/x?token=abc") + "."},
		{"two: http://a:b@h1.example/ and http://h2.example/?k=v", "two: " + redact.Endpoint("http://a:b@h1.example/") + " and " + redact.Endpoint("http://h2.example/?k=v")},
		{"endpoint https://h.example/%zz?token=abc rejected", "endpoint " + redact.Endpoint("https://h.example/%zz?token=abc") + " rejected"},
	}
	for _, tc := range cases {
		if got := redact.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if again := redact.Text(redact.Text(tc.in)); again != tc.want {
			t.Errorf("Text is not idempotent on %q: %q", tc.in, again)
		}
	}
}

// TestErrorKeepsChainAndHidesSecrets is the daemon's case: an SDK error quoting the endpoint
// URL, wrapped around context.Canceled.
func TestErrorKeepsChainAndHidesSecrets(t *testing.T) {
	inner := fmt.Errorf(`operation error CloudWatch: DescribeAlarms, https response error: Post "https://AKIAEXAMPLE:s3cr3tpass@h:1/?X-Amz-Security-Token=tok123456": %w`, context.Canceled)
	for name, err := range map[string]error{"Error": redact.Error(inner), "Redactor.Error": redact.New().Error(inner)} {
		msg := err.Error()
		for _, secret := range []string{"AKIAEXAMPLE", "s3cr3tpass", "tok123456"} {
			if strings.Contains(msg, secret) {
				t.Errorf("%s: redacted error still holds %q: %s", name, secret, msg)
			}
		}
		if !strings.Contains(msg, "DescribeAlarms") || !errors.Is(err, context.Canceled) {
			t.Errorf("%s: redaction lost the message or the chain: %s", name, msg)
		}
	}
	if redact.Error(nil) != nil || redact.New().Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
	var nilRedactor *redact.Redactor
	if got := nilRedactor.Text("x https://u:p@h/ y"); strings.Contains(got, "u:p") {
		t.Errorf("nil Redactor: %s", got)
	}
}

// quotings are the ways AWS, the SDK and kmswatch itself may put an endpoint into a message.
func quotings(e string) map[string]string {
	j, _ := json.Marshal(e)
	return map[string]string{
		"raw":         "InvalidParameter: Invalid parameter: Endpoint " + e + " is not reachable",
		"go-quoted":   fmt.Sprintf("subscribe %q: unreachable", e),
		"json":        `{"error":` + string(j) + `}`,
		"query":       "Action=Subscribe&Endpoint=" + url.QueryEscape(e) + "&Protocol=https",
		"xml":         "<Endpoint>" + html.EscapeString(e) + "</Endpoint>",
		"listed":      "listed " + redact.ListedForm(e) + " on the topic",
		"end-of-line": "endpoint: " + e,
	}
}

// TestRedactorOverCorpus: a Redactor built from the corpus endpoints leaves none of their
// secrets in any quoting of any of them, and says which endpoint it was by its display form.
func TestRedactorOverCorpus(t *testing.T) {
	corpus := redacttest.Corpus()
	var endpoints []string
	for _, c := range corpus {
		endpoints = append(endpoints, c.Endpoint)
	}
	r := redact.New(endpoints...)
	for _, c := range corpus {
		for how, text := range quotings(c.Endpoint) {
			got := r.Text(text)
			if leaks := redacttest.Leaks(got); len(leaks) > 0 {
				t.Errorf("%s, %s: %v leak in %s", c.Name, how, leaks, got)
			}
			if how != "query" && !strings.Contains(got, c.Display) {
				t.Errorf("%s, %s: display form %s missing from %s", c.Name, how, c.Display, got)
			}
		}
		for _, s := range c.Secrets {
			if len(s) < redact.MinSecretLen {
				continue
			}
			if got := r.Text("the server said: " + s + " is wrong"); strings.Contains(got, s) {
				t.Errorf("%s: the bare secret %q survives: %s", c.Name, s, got)
			}
		}
	}
	// A message with no endpoint in it is left alone (beyond the generic URL scrub).
	if got := r.Text("Throttling: Rate exceeded"); got != "Throttling: Rate exceeded" {
		t.Errorf("plain message changed: %s", got)
	}
}

// TestTextOverCorpus: the generic scrub, knowing nothing, hides the secrets of every corpus
// endpoint quoted as a URL (the SDK's case). Endpoints that are not URLs (an email with a
// token local part, a URL without scheme) need a Redactor and are skipped here.
func TestTextOverCorpus(t *testing.T) {
	for _, c := range redacttest.Corpus() {
		if !strings.Contains(c.Endpoint, "://") || strings.Contains(c.Display, "REDACTED#") && !strings.Contains(c.Display, "://") {
			continue
		}
		for _, how := range []string{"raw", "go-quoted", "end-of-line"} {
			text := quotings(c.Endpoint)[how]
			got := redact.Text(text)
			if leaks := redacttest.Leaks(got); len(leaks) > 0 {
				t.Errorf("%s, %s: %v leak in %s", c.Name, how, leaks, got)
			}
		}
	}
}
