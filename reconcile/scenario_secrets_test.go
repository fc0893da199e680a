package reconcile_test

import (
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
	"github.com/kmswatch/kmswatch/spec/redact"
	"github.com/kmswatch/kmswatch/spec/redact/redacttest"
)

// Webhook endpoints with credentials in them: basic authentication, an API key in the query, and
// one handed to kmswatch through an environment variable (endpointFrom), as ECS and Kubernetes
// hand secrets to a container.
const (
	basicAuthHook = "https://user:PASSWORD456@hooks.example.com/sns"
	apiKeyHook    = "https://events.example.com/integration/amazonsns?apiKey=SECRETKEY123"
	oncallBefore  = "https://oncall:ROTATE1SECRET@pager.example.com/hook"
	oncallAfter   = "https://oncall:ROTATE2SECRET@pager.example.com/hook"
)

const webhookMonitor = `
apiVersion: kmswatch.dev/v1alpha1
kind: Monitor
metadata: {name: hooks}
spec:
  region: ap-southeast-2
  logGroup: {name: hooks-lg}
  topics:
    - name: hooks
      subscriptions:
        - {protocol: https, endpoint: "` + basicAuthHook + `"}
        - {protocol: https, endpoint: "` + apiKeyHook + `"}
        - {protocol: https, endpointFrom: {env: ONCALL_WEBHOOK_URL}}
  alarms:
    - {name: hooks-alarm, filterPattern: '{ $.eventSource = "kms.amazonaws.com" }', metric: {namespace: NS, name: hooks},
       period: 60s, threshold: 1, comparison: GreaterThanOrEqualToThreshold, alarmActions: [hooks]}
`

// webhookSubscriptions: subscriptions whose endpoints hold credentials converge, are reported by
// their display forms only, and a no-op pass over them writes nothing — also where SNS lists
// them with the password masked (the emulator, as AWS does: each masked one is read once with
// GetSubscriptionAttributes, then remembered). A new value of the variable is a subscription
// change — the new endpoint subscribed, the old one removed — reported without either value.
func webhookSubscriptions(t *testing.T, a *account) {
	ms := loadWebhooks(t, oncallBefore)
	c := a.controller(reconcile.Options{})
	first := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	wantNoSecrets(t, first)
	for _, e := range []string{basicAuthHook, apiKeyHook, oncallBefore} {
		first.wantAction(subscriptionID(e), reconcile.ActionCreate)
	}
	a.confirmAll("hooks", basicAuthHook, apiKeyHook, oncallBefore)

	second := a.pass(c, ms, false).wantNoop()
	wantNoSecrets(t, second)
	if a.emu != nil { // moto lists endpoints verbatim, so it needs no read
		if n := second.res.Calls["sns:GetSubscriptionAttributes"]; n != 2 {
			t.Errorf("%d GetSubscriptionAttributes calls, want one for each of the 2 masked subscriptions", n)
		}
	}
	if n := a.pass(c, ms, false).wantNoop().res.Calls["sns:GetSubscriptionAttributes"]; n != 0 {
		t.Errorf("a warm pass read %d subscriptions' attributes, want 0", n)
	}

	rotated := loadWebhooks(t, oncallAfter)
	o := a.pass(c, rotated, false).wantOutcome(reconcile.OutcomeInSync)
	wantNoSecrets(t, o)
	o.wantAction(subscriptionID(oncallAfter), reconcile.ActionCreate)
	o.wantAction(subscriptionID(oncallBefore), reconcile.ActionDelete)
	a.confirmAll("hooks", oncallAfter)
	a.pass(c, rotated, false).wantNoop()
	subs, pager := a.subscriptions("hooks"), 0
	for _, s := range subs {
		if strings.Contains(s.Endpoint, "@pager.example.com/") {
			pager++
		}
	}
	if len(subs) != 3 || pager != 1 {
		t.Errorf("after the rotation: %d subscriptions, %d of them to the pager, want 3 and 1", len(subs), pager)
	}
}

func loadWebhooks(t *testing.T, oncall string) []spec.Monitor {
	t.Helper()
	opts := spec.LoadOptions{LookupEnv: func(name string) (string, bool) {
		if name == "ONCALL_WEBHOOK_URL" {
			return oncall, true
		}
		return "", false
	}}
	f, err := opts.LoadBytes([]byte(strings.TrimLeft(webhookMonitor, "\n")), "hooks.yaml")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return f.Monitors
}

func subscriptionID(endpoint string) string {
	return "Subscription/hooks/https/" + redact.Endpoint(endpoint)
}

// wantNoSecrets fails if a pass's lines or error carry any credential of the corpus or of this
// scenario.
func wantNoSecrets(t *testing.T, o outcome) {
	t.Helper()
	text := o.text()
	for _, s := range []string{"PASSWORD456", "SECRETKEY123", "ROTATE1SECRET", "ROTATE2SECRET"} {
		if strings.Contains(text, s) {
			t.Errorf("the pass prints the secret %q:\n%s", s, text)
		}
	}
	if leaks := redacttest.Leaks(text); len(leaks) > 0 {
		t.Errorf("the pass prints %v:\n%s", leaks, text)
	}
}

// confirmAll confirms the pending subscriptions of topic to endpoints, as their owners would by
// answering SNS's confirmation request (moto confirms every subscription at once).
func (a *account) confirmAll(topic string, endpoints ...string) {
	a.t.Helper()
	if a.emu == nil {
		return
	}
	for _, e := range endpoints {
		if err := a.emu.ConfirmPending(a.topicARN(topic), "https", e); err != nil {
			a.t.Fatalf("confirm %s: %v", redact.Endpoint(e), err)
		}
	}
}
