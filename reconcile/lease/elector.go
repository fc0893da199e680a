package lease

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/reconcile/s3object"
)

// S3API is the part of the S3 client the lease uses, with the SDK's signatures.
type S3API interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// DefaultDuration is the lease duration when Config.Duration is zero.
const DefaultDuration = 30 * time.Second

// Roles, as Status.Role reports them.
const (
	RoleLeader  = "leader"
	RoleStandby = "standby"
)

// Config configures an Elector. Client and Lease are required.
type Config struct {
	Client S3API
	Lease  s3object.Location
	// Duration is how long a standby waits, after it last saw the lease object change, before it
	// takes the lease over; default DefaultDuration. The leader renews every third of it and
	// stops leading two thirds of it after its last successful renewal was sent.
	Duration time.Duration
	// CallTimeout bounds each S3 call, so that a hung connection cannot hold the loop past the
	// renew deadline; default Duration/6. It must be shorter than two thirds of Duration.
	CallTimeout time.Duration
	// Identity names this process in the record; DetectIdentity finds it. An empty ID is filled
	// with a random one.
	Identity Identity
	// SpecDigest identifies the spec this process applies; SetSpecDigest changes it later.
	SpecDigest string
	Log        logr.Logger
	// OnChange, if set, is called (from the goroutine that ran the step, never concurrently) when
	// the role, the holder or the holder's spec digest changes.
	OnChange func(Status)
	// Now is the clock that every lease decision is judged on; default time.Now. Tests inject one.
	Now func() time.Time
	// Rand returns a number in [0, 1) that spreads standbys' polls; default math/rand/v2.
	Rand func() float64
}

// Elector takes part in the election for one lease object. Run keeps it going; Check tells the
// write path whether it may write now.
type Elector struct {
	cfg           Config
	client        S3API
	loc           s3object.Location
	id            Identity
	log           logr.Logger
	now           func() time.Time
	rnd           func() float64
	duration      time.Duration
	renewDeadline time.Duration
	renewEvery    time.Duration
	retryEvery    time.Duration
	callTimeout   time.Duration

	// stepMu serialises steps and releases, so that two writes of this elector never race.
	stepMu sync.Mutex

	mu sync.Mutex // guards everything below
	st state
}

// state is what the elector knows of the lease object and of its own term.
type state struct {
	specDigest string

	etag      string    // the object's ETag as last seen; "" when it is absent or not yet read
	read      bool      // the object has been read at least once
	record    *Record   // the decoded record at etag; nil when absent or unreadable
	recordErr error     // why the object at etag is not a record
	firstSeen time.Time // when this elector first saw etag, after the read that returned it

	mine       bool      // etag is the result of this elector's own write, not a released one
	validUntil time.Time // this elector may write until then, if mine
	renewals   int64     // writes in this term
	lastSent   time.Time // when the last successful write of this term was sent
	lostBy     string    // why the last term ended

	lastErr error
	closed  bool // released: never leads again

	// What was last reported, to log and call OnChange only on changes.
	reported     Status
	reportedOnce bool
	reportedOwn  string    // our spec digest when last reported
	warnedDigest [2]string // the (holder's, ours) pair last warned about
	handovers    int64     // holder changes this process has seen
	termEnded    chan struct{}
	elected      chan struct{} // closed while leading (as of the last step); see Elected
}

// New checks cfg and fills in its defaults.
func New(cfg Config) (*Elector, error) {
	if cfg.Client == nil {
		return nil, errors.New("new lease elector: Client is required")
	}
	if cfg.Lease.Bucket == "" || cfg.Lease.Key == "" {
		return nil, errors.New("new lease elector: Lease needs a bucket and a key (s3://BUCKET/KEY)")
	}
	if cfg.Duration < 0 {
		return nil, fmt.Errorf("new lease elector: lease duration must be positive, got %s", cfg.Duration)
	}
	if cfg.Duration == 0 {
		cfg.Duration = DefaultDuration
	}
	deadline := cfg.Duration * 2 / 3
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = cfg.Duration / 6
	}
	if cfg.CallTimeout <= 0 || cfg.CallTimeout >= deadline {
		return nil, fmt.Errorf("new lease elector: call timeout %s must be positive and shorter than the renew deadline %s (two thirds of the lease duration %s)",
			cfg.CallTimeout, deadline, cfg.Duration)
	}
	if cfg.Identity.Host == "" {
		cfg.Identity.Host = "unknown-host"
	}
	if cfg.Identity.ID == "" {
		cfg.Identity.ID = newID()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = defaultRand
	}
	return &Elector{
		cfg:           cfg,
		client:        cfg.Client,
		loc:           cfg.Lease,
		id:            cfg.Identity,
		log:           cfg.Log.WithValues("lease", cfg.Lease.String()),
		now:           cfg.Now,
		rnd:           cfg.Rand,
		duration:      cfg.Duration,
		renewDeadline: deadline,
		renewEvery:    cfg.Duration / 3,
		retryEvery:    max(cfg.Duration/15, time.Millisecond),
		callTimeout:   cfg.CallTimeout,
		st:            state{specDigest: cfg.SpecDigest, elected: make(chan struct{})},
	}, nil
}

// Identity returns who this elector is.
func (e *Elector) Identity() Identity { return e.id }

// SetSpecDigest records the digest of the spec this process now applies. A leader writes it at
// its next renewal; standbys compare it with the holder's.
func (e *Elector) SetSpecDigest(d string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.st.specDigest = d
}

// Elected returns a channel that is closed once this elector leads: at once if it leads as of
// its last step, else when a step makes it leader. A standby waits on it instead of polling
// Check. After the term ends, Elected returns a new channel, for the next term.
func (e *Elector) Elected() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st.elected
}

// ErrNotLeader is what Check's errors match with errors.Is.
var ErrNotLeader = errors.New("not the lease holder")

// NotLeaderError says why this process may not write now.
type NotLeaderError struct {
	Lease  string
	Reason string
}

func (e *NotLeaderError) Error() string {
	return fmt.Sprintf("not the holder of lease %s: %s", e.Lease, e.Reason)
}

// Is makes errors.Is(err, ErrNotLeader) hold.
func (e *NotLeaderError) Is(target error) bool { return target == ErrNotLeader }

// Check returns nil while this process holds the lease and is within its renew deadline, and a
// *NotLeaderError otherwise. The write path calls it before every AWS write call. It is judged
// on the clock alone, so it fails on time even when the goroutine that renews is stuck.
//
// Why that is enough: the deadline is two thirds of the duration after the last successful
// renewal was sent, while a standby may take over only a whole duration after it first read
// that renewal, which it cannot do before the renewal was sent. A write checked just before the
// deadline has the last third of the duration to reach AWS; Guard bounds it to the deadline.
func (e *Elector) Check() error {
	_, err := e.leaderUntil()
	return err
}

// Guard is Check for one write call: it returns ctx bounded by the renew deadline as it stands
// now, so that a call that hangs is abandoned before any standby could take over.
func (e *Elector) Guard(ctx context.Context) (context.Context, context.CancelFunc, error) {
	until, err := e.leaderUntil()
	if err != nil {
		return ctx, func() {}, err
	}
	c, cancel := context.WithTimeout(ctx, until.Sub(e.now()))
	return c, cancel, nil
}

func (e *Elector) leaderUntil() (time.Time, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if e.st.mine && now.Before(e.st.validUntil) {
		return e.st.validUntil, nil
	}
	return time.Time{}, &NotLeaderError{Lease: e.loc.String(), Reason: e.notLeaderReasonLocked(now)}
}

func (e *Elector) notLeaderReasonLocked(now time.Time) string {
	switch {
	case e.st.mine && !e.st.validUntil.IsZero():
		return fmt.Sprintf("its renew deadline passed %s ago (last renewal sent %s before that); it must not write until it renews",
			now.Sub(e.st.validUntil).Round(time.Millisecond), e.renewDeadline)
	case e.st.record != nil && !e.st.record.Released:
		return "held by " + e.st.record.HolderName()
	case e.st.lostBy != "":
		return e.st.lostBy
	default:
		return "not acquired"
	}
}

// Status is the lease as /status shows it.
type Status struct {
	Lease string `json:"lease"`
	// Role is RoleLeader while Check passes, RoleStandby otherwise.
	Role string `json:"role"`
	// Holder names the holder ("" when the lease is free or its record unreadable).
	Holder string `json:"holder,omitempty"`
	// HolderID is the holder's process identity.
	HolderID string `json:"holderID,omitempty"`
	// HolderSpecDigest identifies the spec the holder applies.
	HolderSpecDigest string `json:"holderSpecDigest,omitempty"`
	// Since is when the holder acquired the lease, by the holder's clock.
	Since *time.Time `json:"since,omitempty"`
	// Transitions is the record's count of handovers.
	Transitions int64 `json:"transitions"`
	// Released says the last holder released the lease and nobody has taken it yet.
	Released bool `json:"released,omitempty"`
	// RecordError says why the lease object could not be read as a record.
	RecordError string `json:"recordError,omitempty"`
	// LastError is the error of the last step, if it failed.
	LastError string `json:"lastError,omitempty"`
}

// Status returns the lease as this process sees it now.
func (e *Elector) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.statusLocked(e.now())
}

func (e *Elector) statusLocked(now time.Time) Status {
	s := Status{Lease: e.loc.String(), Role: RoleStandby}
	if e.st.mine && now.Before(e.st.validUntil) {
		s.Role = RoleLeader
	}
	if r := e.st.record; r != nil {
		s.Transitions = r.Transitions
		s.Released = r.Released
		if !r.Released {
			s.Holder, s.HolderID, s.HolderSpecDigest = r.HolderName(), r.HolderID, r.SpecDigest
			since := r.Since
			s.Since = &since
		}
	}
	if e.st.recordErr != nil {
		s.RecordError = e.st.recordErr.Error()
	}
	if e.st.lastErr != nil {
		s.LastError = e.st.lastErr.Error()
	}
	return s
}
