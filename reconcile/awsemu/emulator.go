package awsemu

import (
	"sync"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/cloudtrail"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/cloudwatch"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/kms"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/logs"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/s3"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/sns"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/sts"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/tagging"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Options configure an Emulator.
type Options struct {
	// Region is used when a request's SigV4 scope names none. Default us-east-1.
	Region string
	// AccountID owns every resource. Default 123456789012.
	AccountID string
	// Start is the emulated clock's first instant. Default: now, truncated to the minute.
	Start time.Time
	// TrailDeliveryDelay is how long CloudTrail takes from an API call to delivering its record
	// to S3 and CloudWatch Logs; 0 means DefaultTrailDeliveryDelay. SetTrailDeliveryDelay changes
	// it, to zero included.
	TrailDeliveryDelay time.Duration
}

// DefaultTrailDeliveryDelay is CloudTrail's delivery delay unless Options says otherwise:
// CloudTrail "typically delivers logs within an average of about 5 minutes of an API call"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html).
const DefaultTrailDeliveryDelay = 5 * time.Minute

// Emulator is an in-memory AWS for CloudWatch, CloudWatch Logs, CloudTrail, SNS, KMS, the
// Resource Groups Tagging API, STS's GetCallerIdentity and the part of S3 that kmswatch's lease
// and spec source use. It is an http.Handler that answers the unmodified aws-sdk-go-v2
// clients. One mutex guards all state: requests are served one at a time, which keeps every
// cross-service effect (a KMS call that becomes a CloudTrail record that becomes a log event)
// simple and deterministic, and is fast enough for benchmarks of thousands of resources.
type Emulator struct {
	mu     sync.Mutex
	w      *core.World
	router *wire.Router
	// The services whose state the world API reaches (Outbox, ConfirmPending, DenyKMS,
	// SeedBucket).
	sns *sns.Service
	kms *kms.Service
	s3  *s3.Service
	// inst is the test surface: call accounting, faults and quotas.
	inst *Instruments
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
	if o.TrailDeliveryDelay <= 0 {
		o.TrailDeliveryDelay = DefaultTrailDeliveryDelay
	}
	e := &Emulator{w: core.NewWorld(o.Region, o.AccountID, o.Start)}
	e.w.TrailDeliveryDelay = o.TrailDeliveryDelay
	e.inst = &Instruments{e: e}
	// Registration order is pipeline order: each tick hands its output to the next one.
	e.kms = kms.Register(e.w)
	cloudtrail.Register(e.w)
	logs.Register(e.w)
	cloudwatch.Register(e.w)
	e.sns = sns.Register(e.w)
	tagging.Register(e.w)
	sts.Register(e.w)
	e.s3 = s3.Register(e.w)
	e.router = newRouter()
	return e
}

// newRouter tells apart the requests of every emulated service.
func newRouter() *wire.Router {
	rt := wire.NewRouter()
	for _, ep := range []wire.Endpoint{kms.Endpoint, cloudtrail.Endpoint, logs.Endpoint, cloudwatch.Endpoint, sns.Endpoint, tagging.Endpoint, sts.Endpoint, s3.Endpoint} {
		rt.Add(ep)
	}
	return rt
}

// Region and AccountID are the defaults the emulator answers with.
func (e *Emulator) Region() string    { return e.w.Region }
func (e *Emulator) AccountID() string { return e.w.Account }
