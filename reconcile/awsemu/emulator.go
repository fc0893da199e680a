package awsemu

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configure an Emulator.
type Options struct {
	// Region is used when a request's SigV4 scope names none. Default us-east-1.
	Region string
	// AccountID owns every resource. Default 123456789012.
	AccountID string
	// Start is the emulated clock's first instant. Default: now, truncated to the minute.
	Start time.Time
}

// Emulator is an in-memory AWS for CloudWatch, CloudWatch Logs, CloudTrail, SNS, KMS and the
// Resource Groups Tagging API. It is an http.Handler that answers the unmodified aws-sdk-go-v2
// clients. One mutex guards all state: requests are served one at a time, which keeps every
// cross-service effect (a KMS call that becomes a CloudTrail record that becomes a log event)
// simple and deterministic, and is fast enough for benchmarks of thousands of resources.
type Emulator struct {
	mu     sync.Mutex
	region string
	acct   string
	now    time.Time

	// ops maps a service id ("cloudwatch", "logs", "cloudtrail", "sns", "kms", "tagging") and an
	// operation name to its handler.
	ops map[string]map[string]opFunc
	// ticks run, in order, each time the clock advances.
	ticks []func(from, to time.Time)

	tags       *tagStore
	principals map[string]principal
	buckets    map[string]bool
	roles      map[string]bool

	stats stats
	// inject, when set, may delay a call or fail it before its handler runs (fault injection).
	inject func(c *call) (time.Duration, *APIError)
	// faults holds injected faults and quotas (faults.go); it sets inject.
	faults *faultState

	bus bus

	// Service state that the emulator's own test surface reaches (the outbox, ConfirmPending,
	// DenyKMS); set by each service's register function.
	sns *snsService
	kms *kmsService
}

// bus carries the pipeline between services. Each hook is set by the service that owns the
// receiving end when it registers; a nil hook means that service is absent and the event drops.
type bus struct {
	// audit receives one CloudTrail record per API call that CloudTrail would log.
	audit func(rec auditRecord)
	// putLogEvents delivers events to a log group's stream (creating the stream).
	putLogEvents func(group, stream string, events []logEvent) error
	// putDatum records one metric datapoint (a metric filter's output).
	putDatum func(d datum)
	// publish sends a message to a topic's confirmed subscribers.
	publish func(topicArn, subject, message string) error
}

// auditRecord is one CloudTrail record, in CloudTrail's own JSON shape (Record), with the fields
// a trail's event selectors decide on pulled out.
type auditRecord struct {
	Time       time.Time
	Source     string // e.g. kms.amazonaws.com
	Name       string // e.g. Decrypt
	ReadOnly   bool
	Management bool
	Record     map[string]any
}

// logEvent is one CloudWatch Logs event.
type logEvent struct {
	Time    time.Time
	Message string
}

// datum is one metric datapoint.
type datum struct {
	// Region is where the datapoint is recorded; "" means the emulator's default region.
	Region     string
	Namespace  string
	MetricName string
	Dimensions map[string]string
	Time       time.Time
	Value      float64
	Unit       string
}

// opFunc handles one operation. It runs with e.mu held.
type opFunc func(c *call) (any, error)

// call is one request as a handler sees it.
type call struct {
	e         *Emulator
	Service   string
	Op        string
	Region    string
	AccessKey string
	Principal principal
	Now       time.Time
	RequestID string
	in        any
	// audit holds service-specific CloudTrail record fields that the handler adds or replaces
	// (KMS: resources, requestParameters with encryptionAlgorithm, additionalEventData).
	audit map[string]any
}

// decode fills a typed input struct from the request, for any protocol. A malformed member is
// reported as the service's validation error.
func (c *call) decode(out any) error {
	if err := decodeInto(c.in, out); err != nil {
		return c.validation(err.Error())
	}
	return nil
}

// validation is the service's own shape for a malformed or invalid request.
func (c *call) validation(msg string) *APIError {
	switch c.Service {
	case "cloudwatch":
		return &APIError{Type: "InvalidParameterValueException", Code: "InvalidParameterValue", Message: msg}
	case "sns":
		return &APIError{Type: "InvalidParameterException", Code: "InvalidParameter", Message: "Invalid parameter: " + msg}
	case "logs":
		return errorf("InvalidParameterException", msg)
	case "cloudtrail":
		return errorf("InvalidParameterException", msg)
	case "kms":
		return errorf("ValidationException", msg)
	}
	return errorf("ValidationException", msg)
}

// New returns an empty emulator with every service registered.
func New(o Options) *Emulator {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.Start.IsZero() {
		o.Start = time.Now().UTC().Truncate(time.Minute)
	}
	e := &Emulator{
		region:     o.Region,
		acct:       o.AccountID,
		now:        o.Start.UTC(),
		ops:        map[string]map[string]opFunc{},
		tags:       newTagStore(),
		principals: map[string]principal{},
		buckets:    map[string]bool{},
		roles:      map[string]bool{},
	}
	// Registration order is pipeline order: each tick hands its output to the next one.
	registerKMS(e)
	registerCloudTrail(e)
	registerLogs(e)
	registerCloudWatch(e)
	registerSNS(e)
	registerTagging(e)
	return e
}

func (e *Emulator) register(service string, ops map[string]opFunc) {
	if e.ops[service] == nil {
		e.ops[service] = map[string]opFunc{}
	}
	for name, f := range ops {
		e.ops[service][name] = f
	}
}

// onTick adds a pipeline step that runs whenever the clock advances.
func (e *Emulator) onTick(f func(from, to time.Time)) { e.ticks = append(e.ticks, f) }

// Region and AccountID are the defaults the emulator answers with.
func (e *Emulator) Region() string    { return e.region }
func (e *Emulator) AccountID() string { return e.acct }

// SeedBucket makes an S3 bucket exist, as a trail's bucket must.
func (e *Emulator) SeedBucket(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.buckets[name] = true
}

// SeedRole makes an IAM role exist, as a trail's CloudWatch Logs role must.
func (e *Emulator) SeedRole(arn string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.roles[arn] = true
}

// Server is an Emulator served on a loopback port.
type Server struct {
	URL string
	srv *http.Server
	ln  net.Listener
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Start serves e on 127.0.0.1 on a free port. Point SDK clients at Server.URL (BaseEndpoint or
// AWS_ENDPOINT_URL), with any static credentials.
func Start(e *Emulator) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln, srv: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
