package awsemu

import (
	"net/http"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Instrumentation for tests, load tests and benchmarks: injected faults (a service's own
// throttling error, a 5xx, latency) on chosen calls, and per-operation request-rate quotas at
// AWS's default values, measured on the real clock — the emulated clock does not move during a
// burst of calls, a real account's quota does. Both hook into dispatch before the handler runs,
// so a faulted call changes no state and leaves no CloudTrail record.

// FaultKind is what an injected fault does to a call.
type FaultKind int

const (
	// Throttle answers the service's own throttling error: CloudWatch and SNS "Throttling"
	// (400, unmodeled; CloudWatch's CBOR and JSON carry it in X-Amzn-Query-Error), CloudWatch
	// Logs, CloudTrail and KMS "ThrottlingException" (400), the Tagging API "ThrottledException",
	// S3 "SlowDown" (503).
	// The SDK's standard retryer retries all of them (its retryable codes are listed in
	// https://pkg.go.dev/github.com/aws/aws-sdk-go-v2/aws/retry).
	Throttle FaultKind = iota + 1
	// ServerError answers the service's 500: CloudWatch InternalServiceFault
	// ("InternalServiceError"), SNS InternalError, Logs ServiceUnavailableException, KMS
	// KMSInternalException, Tagging InternalServiceException, S3 InternalError, otherwise
	// InternalFailure. The
	// SDK retries any 500.
	ServerError
	// Latency delays the call by Fault.Latency, then serves it normally.
	Latency
	// Deny answers the service's access-denied error, as when the caller's IAM policy lost the
	// action: "AccessDenied" (403) for CloudWatch, "AuthorizationError" for SNS,
	// "AccessDeniedException" (400) for the JSON services. Never retried.
	Deny
)

// Fault describes calls to disturb and how.
type Fault struct {
	// Service ("cloudwatch", "logs", "cloudtrail", "sns", "kms", "tagging", "s3") and Op (e.g.
	// "DescribeAlarms") select the calls; "" matches any.
	Service, Op string
	Kind        FaultKind
	// Every disturbs every Every-th matching call (2: the 2nd, 4th, …). Nth disturbs only the
	// Nth matching call. With neither, every matching call is disturbed.
	Every, Nth int
	// Times, when positive, caps how many calls the fault disturbs.
	Times int
	// Latency is the delay of a Latency fault.
	Latency time.Duration
}

type activeFault struct {
	Fault
	id      int
	matched int
	fired   int
}

// faultState holds injected faults and quotas; it lives under e.mu.
type faultState struct {
	faults []*activeFault
	nextID int

	quotasOn bool
	// quotas maps "service:Op" to its rate (requests per second); 0 removes a limit.
	quotas  map[string]float64
	buckets map[string]*tokenBucket
	// now is the real clock quotas are measured on (replaceable in tests).
	now func() time.Time
}

// faultState returns (creating) the fault state.
func (in *Instruments) faultState() *faultState {
	if in.faults == nil {
		in.faults = &faultState{now: time.Now, quotas: map[string]float64{}, buckets: map[string]*tokenBucket{}}
	}
	return in.faults
}

// inject consults faults and quotas for c under the lock; the caller sleeps any delay outside it.
func (in *Instruments) inject(c *core.Call) (time.Duration, *wire.APIError) {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	if in.faults == nil {
		return 0, nil
	}
	// dispatch fills these only after injection; a refused call is still logged at the
	// emulated time and counted against its region's quota.
	c.Now = in.e.w.Now
	if c.Region == "" {
		c.Region = in.e.w.Region
	}
	c.Principal = in.e.w.PrincipalFor(c.AccessKey)
	return in.faults.inject(c)
}

// InjectFault disturbs the calls f selects until remove is called (or ClearFaults).
func (in *Instruments) InjectFault(f Fault) (remove func()) {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	st := in.faultState()
	st.nextID++
	id := st.nextID
	st.faults = append(st.faults, &activeFault{Fault: f, id: id})
	return func() {
		in.e.mu.Lock()
		defer in.e.mu.Unlock()
		for i, af := range st.faults {
			if af.id == id {
				st.faults = append(st.faults[:i], st.faults[i+1:]...)
				return
			}
		}
	}
}

// ClearFaults removes every injected fault (quotas stay as they are).
func (in *Instruments) ClearFaults() {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	in.faultState().faults = nil
}

// EnableQuotas throttles each operation above its AWS default request rate (defaultQuotas),
// with a token bucket holding one second's worth of requests, on the real clock.
func (in *Instruments) EnableQuotas() {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	st := in.faultState()
	st.quotasOn = true
	st.buckets = map[string]*tokenBucket{}
}

// DisableQuotas stops enforcing quotas.
func (in *Instruments) DisableQuotas() {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	in.faultState().quotasOn = false
}

// SetQuota overrides one operation's rate in requests per second (0: unlimited), for load
// tests that model a raised quota. It takes effect when quotas are enabled.
func (in *Instruments) SetQuota(service, op string, perSecond float64) {
	in.e.mu.Lock()
	defer in.e.mu.Unlock()
	st := in.faultState()
	st.quotas[service+":"+op] = perSecond
	st.buckets = map[string]*tokenBucket{}
}

// inject runs under e.mu for every call: quotas first (the service refuses before it works),
// then faults in the order they were injected. Latencies add up; the first error wins.
func (st *faultState) inject(c *core.Call) (time.Duration, *wire.APIError) {
	if st.quotasOn && !st.allow(c) {
		return 0, throttleError(c.Service)
	}
	var delay time.Duration
	var failure *wire.APIError
	for _, af := range st.faults {
		if (af.Service != "" && af.Service != c.Service) || (af.Op != "" && af.Op != c.Op) {
			continue
		}
		af.matched++
		hit := true
		switch {
		case af.Nth > 0:
			hit = af.matched == af.Nth
		case af.Every > 0:
			hit = af.matched%af.Every == 0
		}
		if !hit || (af.Times > 0 && af.fired >= af.Times) {
			continue
		}
		af.fired++
		switch af.Kind {
		case Latency:
			delay += af.Latency
		case Throttle:
			if failure == nil {
				failure = throttleError(c.Service)
			}
		case ServerError:
			if failure == nil {
				failure = serverError(c.Service)
			}
		case Deny:
			if failure == nil {
				failure = deniedError(c)
			}
		}
	}
	return delay, failure
}

// throttleError is the error each service answers when a caller exceeds its rate.
func throttleError(service string) *wire.APIError {
	switch service {
	case "cloudwatch", "sns":
		return &wire.APIError{Type: "Throttling", Message: "Rate exceeded"}
	case "tagging":
		return &wire.APIError{Type: "ThrottledException", Message: "Rate exceeded"}
	case "s3":
		return &wire.APIError{Type: "SlowDown", Message: "Please reduce your request rate.", Status: http.StatusServiceUnavailable, Receiver: true}
	}
	return &wire.APIError{Type: "ThrottlingException", Message: "Rate exceeded"}
}

// serverError is each service's own internal error (HTTP 500).
func serverError(service string) *wire.APIError {
	e := &wire.APIError{Type: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.",
		Status: http.StatusInternalServerError, Receiver: true}
	switch service {
	case "cloudwatch":
		e.Type, e.Code, e.Message = "InternalServiceFault", "InternalServiceError", "Internal service error"
	case "sns":
		e.Type, e.Code, e.Message = "InternalErrorException", "InternalError", "Internal error"
	case "logs":
		e.Type, e.Message = "ServiceUnavailableException", "The service cannot complete the request."
	case "kms":
		e.Type, e.Message = "KMSInternalException", "An internal error occurred."
	case "tagging":
		e.Type, e.Message = "InternalServiceException", "Internal service error"
	case "s3":
		e.Type, e.Message = "InternalError", "We encountered an internal error. Please try again."
	}
	return e
}

// deniedError is each service's access-denied error for c, worded as IAM words it.
func deniedError(c *core.Call) *wire.APIError {
	msg := "User: " + c.Principal.ARN + " is not authorized to perform: " + c.Service + ":" + c.Op
	switch c.Service {
	case "cloudwatch":
		return &wire.APIError{Type: "AccessDenied", Message: msg, Status: http.StatusForbidden}
	case "sns":
		return &wire.APIError{Type: "AuthorizationErrorException", Code: "AuthorizationError", Message: msg, Status: http.StatusForbidden}
	}
	return &wire.APIError{Type: "AccessDeniedException", Message: msg}
}
