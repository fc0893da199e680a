package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/zapr"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/yaml"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
)

// fakeAccount is a stateful stand-in for AWS behind a Reconciler: it holds alarms (name →
// threshold) and converges them to the Monitors it is given, pruning the alarms of a Monitor that
// no longer lists them, as the real controller prunes owned items.
type fakeAccount struct {
	mu     sync.Mutex
	alarms map[string]string // Alarm/name → threshold
	owner  map[string]string // Alarm/name → monitor
	passes []passRecord
	// errs are returned by the next passes, one each, before any work.
	errs []error
	// block, if set, makes a pass wait for ctx (a slow AWS) after it has started.
	block   bool
	started chan struct{}
	// gate, if set, holds every pass until it is closed.
	gate chan struct{}
}

type passRecord struct {
	at       time.Time
	monitors []string
	alarms   []string
}

func newFakeAccount() *fakeAccount {
	return &fakeAccount{alarms: map[string]string{}, owner: map[string]string{}, started: make(chan struct{}, 100)}
}

func (f *fakeAccount) Reconcile(ctx context.Context, monitors []spec.Monitor, dryRun bool) (*reconcile.Result, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	rec := passRecord{at: time.Now()}
	for _, m := range monitors {
		rec.monitors = append(rec.monitors, m.Metadata.Name)
		for _, a := range m.Spec.Alarms {
			rec.alarms = append(rec.alarms, a.Name)
		}
	}
	f.passes = append(f.passes, rec)
	block := f.block
	var err error
	if len(f.errs) > 0 {
		err, f.errs = f.errs[0], f.errs[1:]
	}
	f.mu.Unlock()
	f.started <- struct{}{}
	if block {
		<-ctx.Done()
		return &reconcile.Result{}, fmt.Errorf("describe alarms: %w", ctx.Err())
	}
	if err != nil {
		return &reconcile.Result{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	res := &reconcile.Result{Calls: map[string]int{"cloudwatch:DescribeAlarms": 1}}
	want := map[string]bool{}
	for _, m := range monitors {
		for _, a := range m.Spec.Alarms {
			id := "Alarm/" + a.Name
			want[id] = true
			thr := fmt.Sprint(*a.Threshold)
			c := reconcile.Change{ID: id, Kind: reconcile.KindAlarm, Name: a.Name, Monitor: m.Metadata.Name, Applied: !dryRun}
			got, ok := f.alarms[id]
			switch {
			case !ok:
				c.Action = reconcile.ActionCreate
			case got != thr:
				c.Action = reconcile.ActionUpdate
				c.Changes = []reconcile.FieldChange{{Field: "threshold", From: got, To: thr}}
			default:
				c.Action, c.Applied = reconcile.ActionNoop, false
			}
			if !dryRun {
				f.alarms[id], f.owner[id] = thr, m.Metadata.Name
			}
			res.Changes = append(res.Changes, c)
		}
		for _, t := range m.Spec.Topics {
			for _, s := range t.Subscriptions {
				res.Changes = append(res.Changes, reconcile.Change{
					ID: "Subscription/" + t.Name + "/" + s.Protocol + "/" + s.Endpoint, Kind: reconcile.KindSubscription,
					Name: t.Name + "/" + s.Protocol + "/" + s.Endpoint, Monitor: m.Metadata.Name, Action: reconcile.ActionNoop, State: reconcile.StatePendingConfirmation,
				})
			}
		}
	}
	// Prune: owned alarms of the Monitors given that they no longer list.
	given := map[string]bool{}
	for _, m := range monitors {
		given[m.Metadata.Name] = true
	}
	for id, owner := range f.owner {
		if given[owner] && !want[id] {
			res.Changes = append(res.Changes, reconcile.Change{ID: id, Kind: reconcile.KindAlarm, Name: strings.TrimPrefix(id, "Alarm/"), Action: reconcile.ActionDelete, Applied: !dryRun})
			if !dryRun {
				delete(f.alarms, id)
				delete(f.owner, id)
			}
		}
	}
	sort.Slice(res.Changes, func(i, j int) bool { return res.Changes[i].ID < res.Changes[j].ID })
	return res, nil
}

// drift changes an alarm behind the controller's back.
func (f *fakeAccount) drift(id, threshold string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if threshold == "" {
		delete(f.alarms, id)
		return
	}
	f.alarms[id] = threshold
}

func (f *fakeAccount) alarm(id string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.alarms[id]
	return v, ok
}

func (f *fakeAccount) passCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.passes)
}

func (f *fakeAccount) lastPass() passRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.passes) == 0 {
		return passRecord{}
	}
	return f.passes[len(f.passes)-1]
}

// loadTestSpec is a LoadFunc for the tests: one Monitor document, strict, with a name and every
// alarm's threshold required. It stands in for spec.LoadBytes, which this package does not test.
func loadTestSpec(data []byte, _ string) (Spec, error) {
	var m spec.Monitor
	if err := yaml.UnmarshalStrict(data, &m); err != nil {
		return Spec{}, fmt.Errorf("parse: %w", err)
	}
	if m.Metadata.Name == "" {
		return Spec{}, errors.New("metadata.name: required")
	}
	for i, a := range m.Spec.Alarms {
		if a.Threshold == nil {
			return Spec{}, fmt.Errorf("spec.alarms[%d].threshold: required", i)
		}
	}
	return Spec{Monitors: []spec.Monitor{m}, Warnings: []reconcile.Warning{{ID: "Monitor/" + m.Metadata.Name, Field: "spec", Message: "test warning"}}}, nil
}

// specYAML renders a Monitor with the given alarms (name=threshold).
func specYAML(name string, alarms ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nmetadata: {name: %s}\nspec:\n  logGroup: {name: lg}\n", name)
	b.WriteString("  topics:\n  - name: t\n    subscriptions: [{protocol: email, endpoint: sec@example.com}]\n")
	b.WriteString("  alarms:\n")
	for _, a := range alarms {
		n, thr, _ := strings.Cut(a, "=")
		fmt.Fprintf(&b, "  - {name: %s, threshold: %s, comparison: GreaterThanThreshold, period: 60s, metric: {namespace: n, name: m}}\n", n, thr)
	}
	return b.String()
}

// testLogger is a JSON logger into w, as the process logs; flush syncs it.
func testLogger(w io.Writer) (logr.Logger, func(), error) {
	enc := zap.NewProductionEncoderConfig()
	zl := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), zapcore.InfoLevel))
	return zapr.NewLogger(zl), func() { _ = zl.Sync() }, nil
}
