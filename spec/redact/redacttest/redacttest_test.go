package redacttest

import (
	"net/url"
	"strings"
	"testing"
)

// TestCorpusIsWellFormed: a secret that is not in its endpoint would make every "never
// printed" check over it pass for nothing.
func TestCorpusIsWellFormed(t *testing.T) {
	names := map[string]bool{}
	secrets := 0
	for _, c := range Corpus() {
		if c.Name == "" || c.Protocol == "" || c.Endpoint == "" || c.Display == "" || names[c.Name] {
			t.Errorf("entry %+v: name (unique), protocol, endpoint and display are required", c)
		}
		names[c.Name] = true
		decoded, err := url.QueryUnescape(c.Endpoint)
		if err != nil {
			decoded = c.Endpoint
		}
		for _, s := range c.Secrets {
			secrets++
			if len(s) < 6 || !strings.Contains(c.Endpoint, s) && !strings.Contains(decoded, s) {
				t.Errorf("%s: secret %q is shorter than 6 or not in the endpoint", c.Name, s)
			}
			if strings.Contains(c.Display, s) {
				t.Errorf("%s: the pinned display form holds the secret %q", c.Name, s)
			}
		}
	}
	if secrets < 40 || len(Secrets()) != secrets {
		t.Errorf("%d secrets; Secrets() returns %d", secrets, len(Secrets()))
	}
	if got := Leaks("x PASSWORD456 y"); len(got) != 1 || got[0] != "PASSWORD456" {
		t.Errorf("Leaks: %v", got)
	}
	if Leaks("nothing here") != nil {
		t.Error("Leaks found something in nothing")
	}
}
