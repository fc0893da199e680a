package reconcile_test

// The emulator's side of the harness: the one place an emulator is built and served, the one
// place its test instruments (fault injection, the call log) are reached, and outages of a single
// region. Keeping each in one function lets the emulator's construction (a loopback server today)
// and its instruments' home change without touching the tests.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/spec"
)

// labAccount is the account of testdata/lab.yaml and of the smaller fixtures of the controller's
// own tests: their roles and SQS queues live in it, so that the emulator treats them as the
// account's own (an SQS subscription across accounts waits for the queue owner's confirmation).
const labAccount = "111122223333"

func staticCredentials() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDSCENARIO", SecretAccessKey: "secret", Source: "test"}, nil
	})
}

// startEmulator builds an empty emulator answering as accountID, with scenarioRegion as its
// default region. cfg is what SDK clients need to reach it: an in-process HTTP client that hands
// every request straight to the emulator (no socket; the endpoint's host is never contacted), a
// region and credentials.
func startEmulator(tb testing.TB, accountID string) (e *awsemu.Emulator, cfg aws.Config) {
	tb.Helper()
	e = awsemu.New(awsemu.Options{Region: scenarioRegion, AccountID: accountID})
	return e, aws.Config{Region: scenarioRegion, BaseEndpoint: aws.String(inProcessEndpoint), HTTPClient: awsemu.InProcessClient(e),
		Credentials: staticCredentials()}
}

// inProcessEndpoint is the endpoint SDK clients name for an in-process emulator: a loopback port
// nothing listens on, so that a client built without the in-process transport fails at once
// rather than reaching anything.
const inProcessEndpoint = "http://127.0.0.1:1"

// newLabAccount is an empty account of a fresh emulator, answering as labAccount.
func newLabAccount(t *testing.T) *account {
	t.Helper()
	return emuBackend{accountID: labAccount}.account(t)
}

// labAccountWith is a fresh emulator account seeded for ms.
func labAccountWith(t *testing.T, ms []spec.Monitor) *account {
	t.Helper()
	a := newLabAccount(t)
	a.seed(ms)
	return a
}

// inject disturbs the emulator's calls that f selects until remove is called.
func inject(t testing.TB, e *awsemu.Emulator, f awsemu.Fault) (remove func()) {
	t.Helper()
	return e.Instruments().InjectFault(f)
}

// clearFaults removes every fault injected into e.
func clearFaults(e *awsemu.Emulator) { e.Instruments().ClearFaults() }

// callRecords is every call e served since it started, in order.
func callRecords(e *awsemu.Emulator) []awsemu.CallRecord { return e.Instruments().CallLog() }

// regionGate is the HTTP client of an emulator account's controllers. It passes every request
// on, except those signed for a region taken down, which fail as a refused connection does: a
// regional outage. (The emulator's faults select calls by service and operation, in every
// region at once.)
type regionGate struct {
	next aws.HTTPClient
	mu   sync.Mutex
	down map[string]bool
}

// Do implements aws.HTTPClient.
func (g *regionGate) Do(r *http.Request) (*http.Response, error) {
	region := signedRegion(r.Header.Get("Authorization"))
	g.mu.Lock()
	down := g.down[region]
	g.mu.Unlock()
	if down {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("region %s is down", region)}
	}
	return g.next.Do(r)
}

// signedRegion is the region of a SigV4 Authorization header's credential scope
// ("Credential=AKID/20240101/us-east-1/logs/aws4_request, ...").
func signedRegion(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

// regionDown makes every later call of the account's controllers to region fail, until up.
func (a *account) regionDown(region string) (up func()) {
	a.t.Helper()
	if a.gate == nil {
		a.t.Fatal("regionDown needs an emulator account")
	}
	g := a.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down == nil {
		g.down = map[string]bool{}
	}
	g.down[region] = true
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		delete(g.down, region)
	}
}
