// Package redacttest holds the corpus of credential shapes that tests run kmswatch over:
// SNS subscription endpoints in the shapes of the common on-call integrations, each with the
// secret parts that must never appear in anything kmswatch prints. It exists for tests only;
// the corpus is testdata/credentials.json, embedded so that a test in any package can use it.
package redacttest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed testdata/credentials.json
var corpusJSON []byte

// Credential is one endpoint of the corpus.
type Credential struct {
	// Name says which integration's shape it has.
	Name string `json:"name"`
	// Protocol is the SNS protocol it is subscribed with.
	Protocol string `json:"protocol"`
	// Endpoint is the endpoint as a user would write it.
	Endpoint string `json:"endpoint"`
	// Secrets are the substrings that must never be printed (empty: nothing in it is secret,
	// and it must be printed as it is).
	Secrets []string `json:"secrets"`
	// Display is the endpoint's display form, pinned.
	Display string `json:"display"`
	// Invalid marks an endpoint that validation rejects for its protocol.
	Invalid bool `json:"invalid"`
}

// Corpus returns the corpus. It panics if the embedded file is broken, which its own test
// catches first.
func Corpus() []Credential {
	var c struct {
		Endpoints []Credential `json:"endpoints"`
	}
	if err := json.Unmarshal(corpusJSON, &c); err != nil {
		panic(fmt.Sprintf("redacttest: testdata/credentials.json: %v", err))
	}
	return c.Endpoints
}

// Secrets returns every secret of the corpus.
func Secrets() []string {
	var out []string
	for _, c := range Corpus() {
		out = append(out, c.Secrets...)
	}
	return out
}

// Leaks returns the secrets of the corpus that text contains; nil when it holds none.
func Leaks(text string) []string {
	var out []string
	for _, s := range Secrets() {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}
