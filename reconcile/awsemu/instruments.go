package awsemu

import (
	"sort"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// Instruments is the emulator's test surface, kept apart from the AWS surface (ServeHTTP) and
// the world API: what was called, by whom, and how it went (Calls, CallLog, WriteCalls,
// ResetCalls), and the disturbances a test injects (InjectFault, ClearFaults, EnableQuotas,
// DisableQuotas, SetQuota). Nothing a client of the emulated AWS can do reaches it. It is safe
// for concurrent use with requests being served.
type Instruments struct {
	e *Emulator
	// stats and faults live under e.mu.
	stats  stats
	faults *faultState
}

// Instruments returns the emulator's test surface.
func (e *Emulator) Instruments() *Instruments { return e.inst }

// CallRecord is one API call as the emulator saw it.
type CallRecord struct {
	Service string
	Op      string
	// Code is the error code returned, "" on success.
	Code string
	Time time.Time
	// AccessKey is the access key id the request was signed with ("" if unsigned), so that a
	// test can tell apart the processes it runs when each has its own key. Principal is the ARN
	// that key maps to (AddUser, AddRoleSession); an unknown key maps to the IAM user
	// emulator-user.
	AccessKey string
	Principal string
}

type stats struct {
	counts map[string]int
	log    []CallRecord
}

// record counts c; it runs under e.mu, also for calls a fault refused before their handler ran.
func (in *Instruments) record(c *core.Call, err *wire.APIError) {
	s := &in.stats
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	s.counts[c.Service+":"+c.Op]++
	// A call refused by a fault never reached the world, which resolves the principal.
	p := c.Principal
	if p.ARN == "" {
		p = in.e.w.PrincipalFor(c.AccessKey)
	}
	rec := CallRecord{Service: c.Service, Op: c.Op, Time: c.Now, AccessKey: c.AccessKey, Principal: p.ARN}
	if err != nil {
		rec.Code = err.QueryCode()
	}
	s.log = append(s.log, rec)
}

// Calls returns how many times each operation was called, keyed "service:Operation" (services:
// cloudwatch, logs, cloudtrail, sns, kms, tagging), failed calls included.
func (in *Instruments) Calls() map[string]int {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	out := make(map[string]int, len(in.stats.counts))
	for k, v := range in.stats.counts {
		out[k] = v
	}
	return out
}

// CallLog returns every call since the last ResetCalls, in order.
func (in *Instruments) CallLog() []CallRecord {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	return append([]CallRecord(nil), in.stats.log...)
}

// ResetCalls forgets the counts and the call log.
func (in *Instruments) ResetCalls() {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	in.stats = stats{}
}

// WriteCalls returns the calls since the last ResetCalls that are not read-only (awsop.ReadOnly),
// sorted — the figure a converged controller must keep at zero.
func (in *Instruments) WriteCalls() []string {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	var out []string
	for _, r := range in.stats.log {
		if !awsop.ReadOnly(r.Service, r.Op) {
			out = append(out, r.Service+":"+r.Op)
		}
	}
	sort.Strings(out)
	return out
}
