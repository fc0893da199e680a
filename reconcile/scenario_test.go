package reconcile_test

// The scenario suite: the design's acceptance list, run end to end through the real SDK clients
// against two independent backends — the in-process emulator (reconcile/awsemu, CloudWatch over
// CBOR) and moto (reconcile/awsemu/mototest, CloudWatch over query). Each scenario gets an empty
// account, drives the Controller through passes, and asserts the change set, the exit code and
// the end state read back through the SDK. moto 5.2.1's known gaps are named where a
// scenario meets them, and the scenario asserts what can be asserted there instead.
//
// Layout: this file is the harness (backends, accounts, passes), emu_test.go its emulator side
// (construction, fault injection, regional outages); scenario_read_test.go reads the chain back;
// scenario_converge_test.go, scenario_drift_test.go, scenario_owner_test.go (pruning, keeping,
// removed monitors, empty files), scenario_conflict_test.go (conflicts, adoption) and
// scenario_organization_test.go (organization trails) are the scenarios; scenario_faults_test.go is the emulator-only resilience suite. The controller's own
// tests build on the same harness: controller_test.go (converge, ownership cache),
// ownership_test.go, failure_test.go, region_test.go, selectors_emu_test.go and
// warnings_test.go, mostly on the emulator in the lab's account; bench_test.go and
// iampolicy_test.go too.

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/awsclient"
	"github.com/kmswatch/kmswatch/reconcile/awsemu"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
	"github.com/kmswatch/kmswatch/spec"
)

// The account every backend answers as: moto maps unknown access keys to 123456789012, and the
// emulator is given the same, so that ARNs built by the controller agree on both.
const (
	scenarioAccount = "123456789012"
	scenarioRegion  = "ap-southeast-2" // the examples' region
)

// scenario is one Done-when case; run gets an empty account of the backend under test.
type scenario struct {
	name string
	run  func(t *testing.T, a *account)
}

// allScenarios is every scenario that runs against both backends.
func allScenarios() []scenario {
	var out []scenario
	out = append(out, convergeScenarios()...)
	out = append(out, driftScenarios()...)
	out = append(out, ownershipScenarios()...)
	out = append(out, scenario{"converge/webhook-subscriptions", webhookSubscriptions})
	out = append(out, fightScenarios()...)
	out = append(out, organizationScenarios()...)
	out = append(out, heartbeatScenarios()...)
	return out
}

// backend hands out empty accounts.
type backend interface {
	name() string
	// parallel tells whether scenarios may run concurrently (each has its own account).
	parallel() bool
	account(t *testing.T) *account
}

// emuBackend: a fresh emulator per scenario, so scenarios run in parallel. accountID is the
// account it answers as; "" is scenarioAccount, moto's.
type emuBackend struct{ accountID string }

func (emuBackend) name() string   { return "emulator" }
func (emuBackend) parallel() bool { return true }
func (b emuBackend) account(t *testing.T) *account {
	id := b.accountID
	if id == "" {
		id = scenarioAccount
	}
	e, cfg := startEmulator(t, id)
	a := newAccount(t, "emulator", cfg, awsclient.ProtocolCBOR, id)
	a.emu = e
	// The controllers' requests pass a gate that can take a region down (regionDown).
	a.gate = &regionGate{next: cfg.HTTPClient}
	a.cfg.HTTPClient = a.gate
	return a
}

// motoBackend: one moto_server for the whole suite, reset before each scenario. moto's reset is
// global, so its scenarios run one at a time.
type motoBackend struct{ srv *mototest.Server }

func (*motoBackend) name() string   { return "moto" }
func (*motoBackend) parallel() bool { return false }
func (b *motoBackend) account(t *testing.T) *account {
	b.srv.Reset(t)
	cfg := aws.Config{Region: scenarioRegion, BaseEndpoint: aws.String(b.srv.URL), Credentials: staticCredentials()}
	// moto speaks only query and JSON to CloudWatch (no Smithy RPC v2 CBOR: getmoto/moto#9195), and
	// answers as scenarioAccount.
	a := newAccount(t, "moto", cfg, awsclient.ProtocolQuery, scenarioAccount)
	a.moto = b.srv
	return a
}

// TestScenarios runs every scenario against the emulator (in parallel) and moto (in series),
// the two backends side by side.
func TestScenarios(t *testing.T) {
	runOnBothBackends(t, scenarioAccount, allScenarios())
}

// runOnBothBackends runs scs as subtests against the emulator answering as accountID (a fresh one
// per scenario, in parallel) and against one moto_server (reset for each scenario, in series),
// the two backends side by side. moto always answers as scenarioAccount.
func runOnBothBackends(t *testing.T, accountID string, scs []scenario) {
	t.Run("emulator", func(t *testing.T) {
		t.Parallel()
		runScenarios(t, emuBackend{accountID: accountID}, scs, nil)
	})
	t.Run("moto", func(t *testing.T) {
		t.Parallel()
		runScenarios(t, &motoBackend{srv: mototest.Start(t)}, scs, nil)
	})
}

// runScenarios runs scs as subtests of t against b; sink, when set, receives every call the
// scenarios' controllers make.
func runScenarios(t *testing.T, b backend, scs []scenario, sink *callLog) {
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			if b.parallel() {
				t.Parallel()
			}
			a := b.account(t)
			a.sink = sink
			sc.run(t, a)
		})
	}
}

// account is one empty AWS account on a backend: SDK clients for the test's own reads and
// drifts (not counted), and controllers whose calls are counted.
type account struct {
	t       *testing.T
	backend string
	proto   string
	base    aws.Config // the backend's, for the test's own clients
	cfg     aws.Config // the controllers': base, through gate on the emulator
	env     reconcile.Env
	emu     *awsemu.Emulator // nil on moto
	moto    *mototest.Server // nil on the emulator
	gate    *regionGate      // nil on moto
	calls   callLog          // every call of this account's controllers
	sink    *callLog         // also told of every call, if set
	tweak   func(*awsclient.Options)

	cw   *cloudwatch.Client
	logs *cloudwatchlogs.Client
	ct   *cloudtrail.Client
	sns  *sns.Client
}

// newAccount is an account answering as accountID at the backend that base reaches.
func newAccount(t *testing.T, name string, base aws.Config, proto, accountID string) *account {
	env, err := reconcile.ResolveEnv(context.Background(), base, accountID)
	if err != nil {
		t.Fatalf("resolve env: %v", err)
	}
	a := &account{t: t, backend: name, proto: proto, base: base, cfg: base.Copy(), env: env}
	a.sdkClients()
	return a
}

// sdkClients builds the test's own clients. They do not retry: a fault injected for the
// controller must not be absorbed by them, and their calls must not be slowed by a retryer's
// backoff.
func (a *account) sdkClients() {
	cfg := a.base.Copy()
	cfg.RetryMaxAttempts = 1
	a.cw = cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		if a.proto == awsclient.ProtocolQuery {
			o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		}
	})
	a.logs = cloudwatchlogs.NewFromConfig(cfg)
	a.ct = cloudtrail.NewFromConfig(cfg)
	a.sns = sns.NewFromConfig(cfg)
}

// inRegion is the same account seen from another region: its SDK clients and ARNs are that
// region's. It is for the test's reads and drifts; controllers come from the account itself.
func (a *account) inRegion(region string) *account {
	b := &account{t: a.t, backend: a.backend, proto: a.proto, env: a.env, emu: a.emu, moto: a.moto, gate: a.gate}
	b.base, b.cfg = a.base.Copy(), a.cfg.Copy()
	b.base.Region, b.cfg.Region, b.env.Region = region, region, region
	b.sdkClients()
	return b
}

func (a *account) isMoto() bool { return a.moto != nil }

// seed makes what a Monitor presumes exists: the trail's bucket and (on the emulator, which
// checks it) the CloudWatch Logs role. moto checks only the bucket.
func (a *account) seed(ms []spec.Monitor) {
	a.t.Helper()
	for _, m := range ms {
		tr := m.Spec.Trail
		if tr == nil {
			continue
		}
		if a.emu != nil {
			a.emu.SeedBucket(tr.S3BucketName)
			a.emu.SeedRole(tr.CloudWatchLogsRoleArn)
		} else {
			a.moto.CreateBucket(a.t, tr.S3BucketName)
		}
	}
}

// clientOptions are the controller's: the backend's CloudWatch protocol, retries with a tiny
// backoff (a retried 5xx must not slow the suite), and the call log.
func (a *account) clientOptions() awsclient.Options {
	o := awsclient.Options{
		CloudWatchProtocol: a.proto,
		MaxBackoff:         5 * time.Millisecond,
		OnCall: func(service, op, code string, _ time.Duration) {
			a.calls.add(service, op, code)
			if a.sink != nil {
				a.sink.add(service, op, code)
			}
		},
	}
	if a.tweak != nil {
		a.tweak(&o)
	}
	return o
}

// controller is a fresh Controller on this account, as a new kmswatch process would be.
func (a *account) controller(opts reconcile.Options) *reconcile.Controller {
	return reconcile.NewController(awsclient.New(a.cfg, a.clientOptions()), a.env, logr.Discard(), opts)
}

// outcome is one pass: its result, error and exit code, and the plan printed for messages.
type outcome struct {
	t    *testing.T
	res  *reconcile.Result
	err  error
	exit reconcile.Outcome
	dry  bool
}

// pass runs one Reconcile, as `kmswatch --once [--dry-run]` would.
func (a *account) pass(c *reconcile.Controller, ms []spec.Monitor, dry bool) outcome {
	a.t.Helper()
	res, err := c.Reconcile(context.Background(), ms, dry)
	return outcome{t: a.t, res: res, err: err, exit: reconcile.Classify(res, err, dry), dry: dry}
}

// text is the pass's text output, for failure messages.
func (o outcome) text() string {
	var b bytes.Buffer
	if o.res != nil {
		for _, c := range o.res.Changes {
			b.WriteString(c.Line(o.dry) + "\n")
		}
	}
	if o.err != nil {
		b.WriteString("error: " + o.err.Error() + "\n")
	}
	return b.String()
}

// wantOutcome fails unless the pass ended with want.
func (o outcome) wantOutcome(want reconcile.Outcome) outcome {
	o.t.Helper()
	if o.exit != want {
		o.t.Fatalf("outcome %s, want %s; pass:\n%s", o.exit, want, o.text())
	}
	return o
}

// writes counts the write calls of the pass.
func (o outcome) writes() int {
	if o.res == nil {
		return 0
	}
	return awsop.Writes(o.res.Calls)
}

// change is the pass's line for id; it fails the test when there is none.
func (o outcome) change(id string) reconcile.Change {
	o.t.Helper()
	for _, c := range o.res.Changes {
		if c.ID == id {
			return c
		}
	}
	o.t.Fatalf("no change for %s; pass:\n%s", id, o.text())
	return reconcile.Change{}
}

// wantAction fails unless id's action is act; for an update, fields must all be among its changes.
func (o outcome) wantAction(id string, act reconcile.Action, fields ...string) reconcile.Change {
	o.t.Helper()
	c := o.change(id)
	if c.Action != act {
		o.t.Fatalf("%s: action %s, want %s; pass:\n%s", id, c.Action, act, o.text())
	}
	for _, f := range fields {
		if !slices.ContainsFunc(c.Changes, func(fc reconcile.FieldChange) bool { return fc.Field == f }) {
			o.t.Fatalf("%s: changes %v do not name %s; pass:\n%s", id, c.Changes, f, o.text())
		}
	}
	if !o.dry && act != reconcile.ActionNoop && act != reconcile.ActionConflict && act != reconcile.ActionKeep && !c.Applied {
		o.t.Fatalf("%s: %s not applied: %v", id, act, c.Err)
	}
	return c
}

// wantNoop fails unless every line is unchanged, no write was made, and the exit code is 0.
func (o outcome) wantNoop() outcome {
	o.t.Helper()
	o.wantOutcome(reconcile.OutcomeInSync)
	for _, c := range o.res.Changes {
		if c.Action != reconcile.ActionNoop {
			o.t.Errorf("%s: %s %v %s, want unchanged", c.ID, c.Action, c.Changes, c.Message)
		}
	}
	if n := o.writes(); n != 0 {
		o.t.Errorf("a pass with nothing to do made %d write calls: %v", n, writeKeys(o.res.Calls))
	}
	if o.t.Failed() {
		o.t.FailNow()
	}
	return o
}

// converge runs a real pass that must succeed, then a pass that must be all unchanged with no
// write; it returns the first.
func (a *account) converge(c *reconcile.Controller, ms []spec.Monitor) outcome {
	a.t.Helper()
	first := a.pass(c, ms, false).wantOutcome(reconcile.OutcomeInSync)
	a.pass(c, ms, false).wantNoop()
	return first
}

func writeKeys(calls map[string]int) []string {
	var out []string
	for k, n := range calls {
		if awsop.IsWrite(k) {
			for range n {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// callLog collects "service:Operation" keys of calls; safe for concurrent use.
type callLog struct {
	mu     sync.Mutex
	counts map[string]int
	errs   map[string]int
}

func (l *callLog) add(service, op, code string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts, l.errs = map[string]int{}, map[string]int{}
	}
	l.counts[service+":"+op]++
	if code != "" {
		l.errs[code]++
	}
}

func (l *callLog) snapshot() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.counts))
	for k, v := range l.counts {
		out[k] = v
	}
	return out
}

// load loads a monitor file, failing the test on an error.
func load(t *testing.T, path string) []spec.Monitor {
	t.Helper()
	f, err := spec.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return f.Monitors
}

// loadText loads monitor.yaml text.
func loadText(t *testing.T, text string) []spec.Monitor {
	t.Helper()
	f, err := spec.LoadBytes([]byte(strings.TrimLeft(text, "\n")), t.Name()+".yaml")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return f.Monitors
}
