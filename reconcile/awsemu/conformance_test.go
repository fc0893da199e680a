package awsemu

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
)

// The conformance table: SDK-level scenarios that run unchanged against awsemu and against moto
// (an independent emulator), so that a behaviour the emulator invents shows up as a difference.
// Where moto is known to differ from AWS, the scenario says so in motoGap — what
// moto does and what the scenario asserts instead — and only such a scenario may ask
// env.onMoto(); there are no skips. CloudWatch scenarios run against awsemu in both CBOR (the
// SDK's default) and query, and against moto in query (moto has no CBOR).

type scenario struct {
	name    string // service/what
	motoGap string
	run     func(env *confEnv)
}

// confEnv is what a scenario gets: SDK config for the backend, a way to seed a bucket, and
// assertion helpers that report the scenario's own name.
type confEnv struct {
	*testing.T
	ctx        context.Context
	cfg        aws.Config
	backend    string // "awsemu" or "moto"
	cwProtocol string // "cbor" or "query"
	gap        string
	seedBucket func(name string)
	seedRole   func(arn string)
	// now is the backend's clock: the emulator's emulated time, moto's wall clock.
	now func() time.Time
	// advance moves the emulated clock (running the pipeline); moto has no clock to move and
	// no pipeline to run, so it does nothing there.
	advance func(time.Duration)
}

const confAccount = "123456789012"

// onMoto reports whether the backend is moto. Only a scenario that states its motoGap may branch
// on it: everything else must behave the same on both backends.
func (env *confEnv) onMoto() bool {
	env.Helper()
	if env.gap == "" {
		env.Fatal("scenario branches on the backend without stating a motoGap")
	}
	return env.backend == "moto"
}

func (env *confEnv) must(err error) {
	env.Helper()
	if err != nil {
		env.Fatalf("unexpected error: %v", err)
	}
}

// code asserts err is an AWS error whose ErrorCode() is code.
func (env *confEnv) code(err error, code string) {
	env.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		env.Fatalf("want error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		env.Fatalf("want error %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func (env *confEnv) eq(what string, got, want any) {
	env.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		env.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func (env *confEnv) truth(what string, ok bool) {
	env.Helper()
	if !ok {
		env.Fatalf("expected: %s", what)
	}
}

func conformanceScenarios() []scenario {
	var all []scenario
	for _, part := range [][]scenario{cloudwatchScenarios(), logsScenarios(), cloudtrailScenarios(), snsScenarios(), kmsScenarios(), taggingScenarios(), stsScenarios(), s3Scenarios()} {
		all = append(all, part...)
	}
	return all
}

// protocolsFor lists the CloudWatch protocols a scenario runs in on a backend. Other scenarios
// run once; any CloudWatch client they use speaks CBOR on awsemu and query on moto.
func protocolsFor(sc scenario, backend string) []string {
	if !strings.HasPrefix(sc.name, "cloudwatch/") {
		return []string{""}
	}
	if backend == "moto" {
		return []string{"query"}
	}
	return []string{"cbor", "query"}
}

func confConfig(url string) aws.Config {
	return sdkConfig(url, "AKIDCONFORMANCE")
}

func TestConformance(t *testing.T) {
	scenarios := conformanceScenarios()
	names := map[string]bool{}
	gaps := 0
	for _, sc := range scenarios {
		if names[sc.name] {
			t.Fatalf("duplicate scenario %s", sc.name)
		}
		names[sc.name] = true
		if sc.motoGap != "" {
			gaps++
		}
	}
	t.Logf("%d scenarios, %d with a stated moto gap", len(scenarios), gaps)
	ran := map[string]int{}
	t.Run("awsemu", func(t *testing.T) {
		for _, sc := range scenarios {
			for _, proto := range protocolsFor(sc, "awsemu") {
				t.Run(strings.TrimSuffix(sc.name+"/"+proto, "/"), func(t *testing.T) {
					e := New(Options{Start: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)})
					sc.run(&confEnv{T: t, ctx: context.Background(), cfg: confConfig(serveForTest(t, e)), backend: "awsemu",
						cwProtocol: proto, gap: sc.motoGap, seedBucket: e.SeedBucket, seedRole: e.SeedRole, now: e.Now, advance: e.Advance})
					ran["awsemu"]++
				})
			}
		}
	})
	t.Run("moto", func(t *testing.T) {
		m := mototest.Start(t)
		for _, sc := range scenarios {
			for _, proto := range protocolsFor(sc, "moto") {
				t.Run(strings.TrimSuffix(sc.name+"/"+proto, "/"), func(t *testing.T) {
					m.Reset(t)
					if sc.motoGap != "" {
						t.Logf("moto gap: %s", sc.motoGap)
					}
					sc.run(&confEnv{T: t, ctx: context.Background(), cfg: confConfig(m.URL), backend: "moto",
						cwProtocol: "query", gap: sc.motoGap, seedBucket: func(name string) { m.CreateBucket(t, name) },
						seedRole: func(string) {}, now: func() time.Time { return time.Now().UTC() },
						advance: func(time.Duration) {}})
					ran["moto"]++
				})
			}
		}
	})
	t.Logf("passed runs: awsemu %d, moto %d", ran["awsemu"], ran["moto"])
}

// TestConformanceTableShape keeps the table honest without running it: every gap is a
// sentence, and names are service/what.
func TestConformanceTableShape(t *testing.T) {
	var services []string
	seen := map[string]bool{}
	for _, sc := range conformanceScenarios() {
		svc, what, ok := strings.Cut(sc.name, "/")
		if !ok || what == "" {
			t.Errorf("scenario %q is not named service/what", sc.name)
		}
		if !seen[svc] {
			seen[svc] = true
			services = append(services, svc)
		}
		if sc.motoGap != "" && len(sc.motoGap) < 40 {
			t.Errorf("%s: motoGap %q does not say what moto does and what is asserted instead", sc.name, sc.motoGap)
		}
	}
	sort.Strings(services)
	t.Logf("services: %v", services)
	// At least 40 scenarios across the seven services the controller calls, and S3 for the lease
	// and the spec source.
	if n := len(conformanceScenarios()); n < 40 || len(services) != 8 {
		t.Errorf("%d scenarios over %v, want at least 40 over eight services", n, services)
	}
}
