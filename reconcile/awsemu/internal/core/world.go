package core

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// World is the state every service shares: the account and default region, the emulated clock,
// the tag store, the pipeline bus, who signs with which access key, and the resources outside
// the emulated services that requests refer to (S3 buckets, IAM roles). It is guarded by the
// emulator's lock: nothing here locks.
type World struct {
	// Region is used when a request's SigV4 scope names none; Account owns every resource.
	Region, Account string
	// Now is the emulated time; only Advance moves it.
	Now  time.Time
	Tags *TagStore
	Bus  Bus
	// Buckets and Roles are the S3 buckets and IAM role ARNs that exist.
	Buckets, Roles map[string]bool
	// Org is the organization the account belongs to; nil when it belongs to none.
	Org *Organization
	// LogsDenied are roles (ARNs) whose permissions policy does not let them write to CloudWatch
	// Logs: CloudTrail can assume them, but logs:CreateLogStream and logs:PutLogEvents fail.
	LogsDenied map[string]bool
	// TrailDeliveryDelay is how long CloudTrail takes from an API call to delivering its record
	// (to S3 and to CloudWatch Logs).
	TrailDeliveryDelay time.Duration
	principals         map[string]Principal
	// perAccount are the services that keep each account's resources apart (PerAccount).
	perAccount map[string]bool

	// ops maps a service id and an operation name to its handler.
	ops map[string]map[string]OpFunc
	// ticks run, in order, each time the clock advances.
	ticks []func(from, to time.Time)
}

// NewWorld returns an empty world.
func NewWorld(region, account string, start time.Time) *World {
	return &World{
		Region: region, Account: account, Now: start.UTC(),
		Tags: NewTagStore(), Buckets: map[string]bool{}, Roles: map[string]bool{}, LogsDenied: map[string]bool{},
		principals: map[string]Principal{}, ops: map[string]map[string]OpFunc{}, perAccount: map[string]bool{},
	}
}

// perAccountServices lists the PerAccount services, sorted.
func (w *World) perAccountServices() []string {
	out := make([]string, 0, len(w.perAccount))
	for s := range w.perAccount {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Register adds (or replaces) a service's operation handlers.
func (w *World) Register(service string, ops map[string]OpFunc) {
	if w.ops[service] == nil {
		w.ops[service] = map[string]OpFunc{}
	}
	for name, f := range ops {
		w.ops[service][name] = f
	}
}

// Ops lists a service's operations, sorted.
func (w *World) Ops(service string) []string {
	names := make([]string, 0, len(w.ops[service]))
	for n := range w.ops[service] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// OnTick adds a pipeline step that runs whenever the clock advances. Registration order is
// pipeline order: each step hands its output to the next one.
func (w *World) OnTick(f func(from, to time.Time)) { w.ticks = append(w.ticks, f) }

// Advance moves the emulated clock forward by d and runs the pipeline for the time that passed,
// in steps of at most one minute so that every per-minute boundary is seen in order.
func (w *World) Advance(d time.Duration) {
	end := w.Now.Add(d)
	for w.Now.Before(end) {
		step := min(end.Sub(w.Now), time.Minute)
		from := w.Now
		w.Now = w.Now.Add(step)
		for _, tick := range w.ticks {
			tick(from, w.Now)
		}
	}
}

// Handle runs c's handler at the current emulated time, in the default region when the request
// named none, as the principal its access key maps to, and turns the call into a CloudTrail
// record (failed calls included). A principal of another account may call only the services
// that keep accounts apart (PerAccount); its calls to the others are refused, unrecorded, as
// something the emulator does not model.
func (w *World) Handle(c *Call) (any, *wire.APIError) {
	c.Now = w.Now
	if c.Region == "" {
		c.Region = w.Region
	}
	c.Principal = w.PrincipalFor(c.AccessKey)
	var (
		out    any
		apiErr *wire.APIError
	)
	f := w.ops[c.Service][c.Op]
	if acct := c.Account(); acct != w.Account && f != nil && !w.perAccount[c.Service] {
		return nil, &wire.APIError{Type: "UnknownOperationException", Message: fmt.Sprintf(
			"the emulator holds the %s resources of account %s only: a principal of account %s can call only %s",
			c.Service, w.Account, acct, strings.Join(w.perAccountServices(), ", "))}
	}
	switch {
	case c.Service == "":
		apiErr = &wire.APIError{Type: "UnknownOperationException", Message: "no service answers this request"}
	case f == nil:
		apiErr = &wire.APIError{Type: "UnknownOperationException", Code: "InvalidAction", Message: fmt.Sprintf("%s does not implement %s", c.Service, c.Op)}
	default:
		var err error
		out, err = f(c)
		if err != nil {
			apiErr = wire.AsAPIError(err)
		}
	}
	w.audit(c, apiErr)
	return out, apiErr
}
