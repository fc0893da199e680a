package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/spec/redact"
	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
	sigsyaml "sigs.k8s.io/yaml"
)

const webhook = "https://user:PASSWORD456@hooks.example.com/sns?apiKey=SECRETKEY123"

// envOf is a LookupEnv over a map: the tests never change the process environment.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// withSubscriptions is base with its subscription list replaced.
func withSubscriptions(t *testing.T, subs string) []byte {
	t.Helper()
	return []byte(edit(t, `[{protocol: https, endpoint: "https://example.com/hook"}]`, subs))
}

func TestEndpointFromResolves(t *testing.T) {
	data := withSubscriptions(t, `[{protocol: https, endpointFrom: {env: ONCALL_WEBHOOK_URL}}]`)
	f, err := LoadOptions{LookupEnv: envOf(map[string]string{"ONCALL_WEBHOOK_URL": webhook})}.LoadBytes(data, "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := f.Monitors[0].Spec.Topics[0].Subscriptions[0]
	if s.Target() != webhook || s.Endpoint != "" || s.EndpointFrom == nil || s.EndpointFrom.Env != "ONCALL_WEBHOOK_URL" {
		t.Errorf("subscription %+v: target %q", s, s.Target())
	}
	if s.Display() != redact.Endpoint(webhook) {
		t.Errorf("Display() = %s, want %s", s.Display(), redact.Endpoint(webhook))
	}

	// However the loaded spec is printed, the resolved value is not in it; it keeps the form
	// the file used.
	m := f.Monitors[0]
	var printed []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
		printed = append(printed, fmt.Sprintf(verb, m), fmt.Sprintf(verb, s), fmt.Sprintf(verb, s.Resolved))
	}
	j, err := json.Marshal(f.Monitors)
	if err != nil {
		t.Fatal(err)
	}
	y, err := sigsyaml.Marshal(f.Monitors)
	if err != nil {
		t.Fatal(err)
	}
	printed = append(printed, string(j), string(y), s.Resolved.String(), s.Resolved.GoString())
	for _, p := range printed {
		for _, secret := range []string{"PASSWORD456", "SECRETKEY123"} {
			if strings.Contains(p, secret) {
				t.Fatalf("printed spec holds %s: %s", secret, p)
			}
		}
	}
	if !strings.Contains(string(j), `"endpointFrom":{"env":"ONCALL_WEBHOOK_URL"}`) || strings.Contains(string(j), `"endpoint":`) {
		t.Errorf("JSON does not keep the form the file used: %s", j)
	}
	// Printed back and loaded again, the spec is the same.
	y0, err := sigsyaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadOptions{LookupEnv: envOf(map[string]string{"ONCALL_WEBHOOK_URL": webhook})}.LoadBytes(y0, "printed.yaml")
	if err != nil || g.Monitors[0].Spec.Topics[0].Subscriptions[0].Target() != webhook {
		t.Errorf("printed spec does not load back: %v", err)
	}
}

func TestEndpointFromUnset(t *testing.T) {
	data := withSubscriptions(t, `[{protocol: https, endpointFrom: {env: ONCALL_WEBHOOK_URL}}]`)
	path := "spec.topics[0].subscriptions[0].endpointFrom.env"
	for name, env := range map[string]map[string]string{"unset": {}, "empty": {"ONCALL_WEBHOOK_URL": ""}} {
		t.Run(name, func(t *testing.T) {
			// When kmswatch runs: an error naming the field and the variable.
			_, err := LoadOptions{LookupEnv: envOf(env)}.LoadBytes(data, "m.yaml")
			var list ErrorList
			if !errors.As(err, &list) || len(list) != 1 || list[0].Path != path || !strings.Contains(list[0].Msg, "environment variable ONCALL_WEBHOOK_URL is") {
				t.Fatalf("want one error at %s naming the variable, got %v", path, err)
			}
			// Offline: a warning, and the subscription left unresolved.
			f, err := LoadOptions{LookupEnv: envOf(env), AllowUnsetEnv: true}.LoadBytes(data, "m.yaml")
			if err != nil {
				t.Fatalf("AllowUnsetEnv: %v", err)
			}
			if len(f.Warnings) != 1 || f.Warnings[0].Path != path || !strings.Contains(f.Warnings[0].Error(), "kmswatch run refuses the file until it is set") {
				t.Errorf("want one warning at %s, got %v", path, f.Warnings)
			}
			s := f.Monitors[0].Spec.Topics[0].Subscriptions[0]
			if s.Target() != "" || s.Display() != "$ONCALL_WEBHOOK_URL" {
				t.Errorf("unresolved subscription: target %q, display %q", s.Target(), s.Display())
			}
		})
	}
	// The zero LoadOptions reads the process environment, which has no such variable.
	if _, err := LoadBytes(withSubscriptions(t, `[{protocol: https, endpointFrom: {env: KMSWATCH_TEST_SURELY_UNSET_7F3A}}]`), "m.yaml"); err == nil || !strings.Contains(err.Error(), "KMSWATCH_TEST_SURELY_UNSET_7F3A is not set") {
		t.Errorf("zero LoadOptions: %v", err)
	}
}

func TestEndpointFromValidation(t *testing.T) {
	env := envOf(map[string]string{
		"ONCALL_WEBHOOK_URL": webhook,
		"ONCALL_EMAIL":       "secops@example.com",
		"ONCALL_HTTP":        "http://user:PASSWORD456@hooks.example.com/sns",
	})
	cases := []struct {
		name, subs, path, msg string
		warning               bool
	}{
		{"written and read endpoints are duplicates", `[{protocol: https, endpoint: "` + webhook + `"}, {protocol: https, endpointFrom: {env: ONCALL_WEBHOOK_URL}}]`,
			"spec.topics[0].subscriptions[1]", "duplicate subscription (also spec.topics[0].subscriptions[0])", false},
		{"two variables unset are duplicates if the same", `[{protocol: https, endpointFrom: {env: NOPE}}, {protocol: https, endpointFrom: {env: NOPE}}]`,
			"spec.topics[0].subscriptions[1]", "duplicate subscription", false},
		{"value checked against the protocol", `[{protocol: sqs, endpointFrom: {env: ONCALL_WEBHOOK_URL}}]`,
			"spec.topics[0].subscriptions[0].endpointFrom.env", "the value of ONCALL_WEBHOOK_URL must be an SQS queue ARN", false},
		{"email read from the environment warns like a written one", `[{protocol: email, endpointFrom: {env: ONCALL_EMAIL}}]`,
			"spec.topics[0].subscriptions[0].endpointFrom.env", "PendingConfirmation", true},
		{"a URL pasted as the variable name is not shown", `[{protocol: https, endpointFrom: {env: "` + webhook + `"}}]`,
			"spec.topics[0].subscriptions[0].endpointFrom.env", "must be an environment variable name", false},
		{"a URL written where the mapping belongs is not shown", `[{protocol: https, endpointFrom: "` + webhook + `"}]`,
			"spec.topics[0].subscriptions[0].endpointFrom", "must be a mapping", false},
		{"a URL written where the list belongs is not shown", `"` + webhook + `"`,
			"spec.topics[0].subscriptions", "must be a list", false},
		{"a URL written where a subscription belongs is not shown", `["` + webhook + `"]`,
			"spec.topics[0].subscriptions[0]", "must be a mapping", false},
		{"neither endpoint nor endpointFrom", `[{protocol: https}]`,
			"spec.topics[0].subscriptions[0].endpoint", "is required (or endpointFrom", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := LoadOptions{LookupEnv: env}.LoadBytes(withSubscriptions(t, tc.subs), "m.yaml")
			var problems []*FieldError
			if tc.warning {
				if err != nil {
					t.Fatal(err)
				}
				for i := range f.Warnings {
					problems = append(problems, &f.Warnings[i])
				}
			} else if !errors.As(err, (*ErrorList)(&problems)) {
				t.Fatalf("want an ErrorList, got %v", err)
			}
			found := false
			for _, p := range problems {
				if leaks := redacttest.Leaks(p.Error() + p.Value + p.Msg); len(leaks) > 0 {
					t.Errorf("problem shows %q: %s (value %q)", leaks, p.Error(), p.Value)
				}
				found = found || p.Path == tc.path && strings.Contains(p.Error(), tc.msg)
			}
			if !found {
				t.Errorf("want %s: …%s…, got %v", tc.path, tc.msg, problems)
			}
		})
	}
}

// TestCorpusInValidation subscribes every endpoint of the credential corpus, written in the file
// and read from the environment, under its own protocol and under a wrong one (so that the
// value is reported), twice (so that the duplicate is reported): whatever is printed — errors,
// warnings, their values — holds none of the corpus's secrets, and the problems that name an
// endpoint name it by its display form.
func TestCorpusInValidation(t *testing.T) {
	for _, c := range redacttest.Corpus() {
		t.Run(c.Name, func(t *testing.T) {
			env := envOf(map[string]string{"ONCALL_ENDPOINT": c.Endpoint})
			q := fmt.Sprintf("%q", c.Endpoint)
			wrong := "sqs"
			if c.Protocol == "sqs" {
				wrong = "https"
			}
			for _, subs := range []string{
				fmt.Sprintf(`[{protocol: %s, endpoint: %s}]`, c.Protocol, q),
				fmt.Sprintf(`[{protocol: %s, endpointFrom: {env: ONCALL_ENDPOINT}}]`, c.Protocol),
				fmt.Sprintf(`[{protocol: %s, endpoint: %s}, {protocol: %s, endpointFrom: {env: ONCALL_ENDPOINT}}]`, wrong, q, wrong),
				fmt.Sprintf(`[{protocol: %s, endpoint: %s}, {protocol: %s, endpoint: %s}]`, c.Protocol, q, c.Protocol, q),
			} {
				f, err := LoadOptions{LookupEnv: env}.LoadBytes(withSubscriptions(t, subs), "m.yaml")
				var text strings.Builder
				if err != nil {
					var list ErrorList
					if !errors.As(err, &list) {
						t.Fatal(err)
					}
					for _, e := range list {
						fmt.Fprintf(&text, "%s|%s|%+v\n", e.Error(), e.Value, *e)
					}
				} else {
					for _, w := range f.Warnings {
						fmt.Fprintf(&text, "%s|%s|%+v\n", w.Error(), w.Value, w)
					}
				}
				if leaks := redacttest.Leaks(text.String()); len(leaks) > 0 {
					t.Errorf("%s: problems show %q:\n%s", subs, leaks, text.String())
				}
				if err != nil && len(c.Secrets) > 0 && !strings.Contains(text.String(), c.Display) {
					t.Errorf("%s: no problem names the endpoint by its display form %s:\n%s", subs, c.Display, text.String())
				}
			}
			// Written under its own protocol, the endpoint is valid unless the corpus says not.
			_, err := LoadOptions{LookupEnv: env}.LoadBytes(withSubscriptions(t, fmt.Sprintf(`[{protocol: %s, endpoint: %s}]`, c.Protocol, q)), "m.yaml")
			if (err != nil) != c.Invalid {
				t.Errorf("valid = %v, corpus says invalid = %v: %v", err == nil, c.Invalid, err)
			}
		})
	}
}

// TestValidateUsesResolved: monitors built in code carry the resolved value themselves.
func TestValidateUsesResolved(t *testing.T) {
	f, err := LoadBytes([]byte(base), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := f.Monitors[0]
	m.Spec.Topics[0].Subscriptions = []Subscription{{Protocol: "sqs", EndpointFrom: &EndpointSource{Env: "Q"}, Resolved: Secret(webhook)}}
	errs, _ := Validate([]Monitor{m})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "the value of Q must be an SQS queue ARN") || !strings.HasSuffix(errs[0].Error(), "got "+redact.Endpoint(webhook)) {
		t.Errorf("got %v", errs)
	}
	m.Spec.Topics[0].Subscriptions[0].Resolved = "arn:aws:sqs:us-east-1:111122223333:q"
	if errs, _ := Validate([]Monitor{m}); len(errs) != 0 {
		t.Errorf("valid resolved value: %v", errs)
	}
}
