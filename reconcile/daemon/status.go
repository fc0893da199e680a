package daemon

import (
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/reconcile/lease"
	"github.com/kmswatch/kmswatch/reconcile/pipeline"
	"github.com/kmswatch/kmswatch/reconcile/specsource"
)

// Status is the document served at /status: what the daemon enforces and how each resource
// stands. It is a snapshot; the daemon updates its own copy under a lock after every pass.
type Status struct {
	// Ready is what /readyz answers: a pass has completed without error, or this process
	// stands by behind a live lease holder.
	Ready bool `json:"ready"`
	// Lease is this process's part in the election: role "leader" or "standby", the holder,
	// the spec digest the holder applies, since when it holds the lease. Without --lease the
	// role is always "leader" and the lease is "".
	Lease *lease.Status `json:"lease,omitempty"`
	// Spec is the spec in force: the last one that loaded.
	Spec *SpecStatus `json:"spec,omitempty"`
	// RejectedEdit is set while the source holds an edit newer than Spec that did not load, or
	// no longer exists.
	RejectedEdit *RejectedEdit `json:"rejectedEdit,omitempty"`
	LastPass     *PassStatus   `json:"lastPass,omitempty"`
	LastSuccess  *time.Time    `json:"lastSuccess,omitempty"`
	// LastError is the error of the last failed pass; it is kept after recovery, with its time,
	// so that an operator can see what went wrong an hour ago.
	LastError     *ErrorStatus         `json:"lastError,omitempty"`
	Resources     []ResourceStatus     `json:"resources"`
	Subscriptions []SubscriptionStatus `json:"subscriptions"`
	// Warnings are pipeline-health conditions from the last pass and from loading the spec.
	Warnings []reconcile.Warning `json:"warnings"`
	// Contests are the Monitors whose resources another kmswatch instance writes with another
	// spec, from the last pass; each is among Warnings too.
	Contests []reconcile.Contest `json:"contests,omitempty"`
	// Pipeline is, per Monitor, whether its chain delivers (live, stale, broken or unknown), with
	// what breaks it and the heartbeat's state: the last pass's judgement, with the last
	// heartbeat this instance made.
	Pipeline map[string]pipeline.Report `json:"pipeline"`
}

// SpecStatus identifies the spec in force and where it comes from.
type SpecStatus struct {
	// Source is the file path or s3://BUCKET/KEY the spec is read from; Path repeats it for a
	// file.
	Source string `json:"source"`
	Path   string `json:"path,omitempty"`
	// Version is the source's version of the spec in force: its SHA-256, and for S3 the ETag
	// and (in a versioned bucket) the version id.
	Version  specsource.Version `json:"version"`
	SHA256   string             `json:"sha256"`
	LoadedAt time.Time          `json:"loadedAt"`
	Monitors []string           `json:"monitors"`
	// ReadError is set while the source cannot be read (S3 unreachable, access denied); the
	// spec in force stays.
	ReadError string `json:"readError,omitempty"`
}

// RejectedEdit is an edit of the spec that did not load, or the spec's disappearance (Missing).
type RejectedEdit struct {
	SHA256    string    `json:"sha256,omitempty"`
	ETag      string    `json:"etag,omitempty"`
	VersionID string    `json:"versionId,omitempty"`
	At        time.Time `json:"at"`
	Error     string    `json:"error"`
	Missing   bool      `json:"missing,omitempty"`
}

// PassStatus describes one pass.
type PassStatus struct {
	ReconcileID string         `json:"reconcileID"`
	Started     time.Time      `json:"started"`
	Duration    string         `json:"duration"`
	Result      string         `json:"result"`
	DryRun      bool           `json:"dryRun,omitempty"`
	Calls       map[string]int `json:"calls,omitempty"`
}

// ErrorStatus is a failed pass's error.
type ErrorStatus struct {
	Message     string    `json:"message"`
	At          time.Time `json:"at"`
	ReconcileID string    `json:"reconcileID"`
	// Terminal errors (invalid configuration, access denied) wait for a spec change.
	Terminal bool `json:"terminal"`
}

// ResourceStatus is one resource as the last pass left it, with the last change kmswatch made to
// it (possibly in an earlier pass).
type ResourceStatus struct {
	ID         string        `json:"id"`
	Kind       string        `json:"kind"`
	Name       string        `json:"name"`
	Monitor    string        `json:"monitor,omitempty"`
	Region     string        `json:"region,omitempty"` // set outside the default region: ids are unique per region only
	State      string        `json:"state"`
	Message    string        `json:"message,omitempty"`
	Error      string        `json:"error,omitempty"`
	LastChange *ChangeRecord `json:"lastChange,omitempty"`
}

// ChangeRecord is a change applied to a resource.
type ChangeRecord struct {
	At          time.Time               `json:"at"`
	ReconcileID string                  `json:"reconcileID"`
	Action      reconcile.Action        `json:"action"`
	Drift       bool                    `json:"drift"`
	Changes     []reconcile.FieldChange `json:"changes,omitempty"`
}

// SubscriptionStatus is one subscription's confirmation.
type SubscriptionStatus struct {
	ID        string `json:"id"`
	Topic     string `json:"topic"`
	Protocol  string `json:"protocol"`
	Endpoint  string `json:"endpoint"`
	Confirmed bool   `json:"confirmed"`
	State     string `json:"state"`
}

// statusBook keeps the Status under a lock.
type statusBook struct {
	mu           sync.Mutex
	st           Status
	lastChanges  map[string]*ChangeRecord // by "region|id"; region "" is the default one
	specWarnings []reconcile.Warning
	passWarnings []reconcile.Warning
	pipelines    map[string]pipeline.Report
	beats        map[string]reconcile.Heartbeat // by Monitor
	// live, if set, fills in what is read when the status is served (the lease, the spec
	// source's state); it is called without the lock.
	live func(*Status)
}

func newStatusBook(live func(*Status)) *statusBook {
	return &statusBook{lastChanges: map[string]*ChangeRecord{}, pipelines: map[string]pipeline.Report{},
		beats: map[string]reconcile.Heartbeat{}, live: live}
}

// snapshot returns a deep enough copy to encode without the lock, with the live parts filled in.
func (b *statusBook) snapshot() Status {
	s := b.recorded()
	if b.live != nil {
		b.live(&s)
	}
	return s
}

func (b *statusBook) recorded() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.st
	s.Resources = slices.Clone(s.Resources)
	s.Subscriptions = slices.Clone(s.Subscriptions)
	s.Warnings = append(slices.Clone(b.specWarnings), b.passWarnings...)
	if s.Resources == nil {
		s.Resources = []ResourceStatus{}
	}
	if s.Subscriptions == nil {
		s.Subscriptions = []SubscriptionStatus{}
	}
	if s.Warnings == nil {
		s.Warnings = []reconcile.Warning{}
	}
	s.Pipeline = make(map[string]pipeline.Report, len(b.pipelines))
	for name, p := range b.pipelines {
		if p.Heartbeat != nil {
			hb := *p.Heartbeat
			if beat, ok := b.beats[name]; ok {
				at := beat.At
				hb.LastSent, hb.SendError = &at, ""
				if beat.Err != nil {
					hb.SendError = Redact(beat.Err).Error()
				}
			}
			p.Heartbeat = &hb
		}
		p.Problems = slices.Clone(p.Problems)
		s.Pipeline[name] = p
	}
	return s
}

// heartbeats records the heartbeats this instance made, by the Monitors they served.
func (b *statusBook) heartbeats(beats []reconcile.Heartbeat) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, hb := range beats {
		for _, m := range hb.Monitors {
			b.beats[m] = hb
		}
	}
}

func (b *statusBook) MarshalJSON() ([]byte, error) {
	s := b.snapshot()
	return json.Marshal(s)
}

func (b *statusBook) specLoaded(spec *SpecStatus, warnings []reconcile.Warning) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.st.Spec = spec
	b.specWarnings = warnings
}

// passDone records a finished pass.
func (b *statusBook) passDone(p PassStatus, res *reconcile.Result, err error, terminal, drift bool, end time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.st.LastPass = &p
	if err != nil {
		b.st.LastError = &ErrorStatus{Message: Redact(err).Error(), At: end, ReconcileID: p.ReconcileID, Terminal: terminal}
	} else {
		b.st.Ready = true
		b.st.LastSuccess = &end
	}
	if res == nil || (err != nil && len(res.Changes) == 0) {
		return
	}
	b.passWarnings = slices.Clone(res.Warnings)
	b.st.Contests = slices.Clone(res.Contests)
	fight := contestedIDs(res)
	b.pipelines = make(map[string]pipeline.Report, len(res.Pipelines))
	for _, p := range res.Pipelines {
		b.pipelines[p.Monitor] = p
	}
	resources := make([]ResourceStatus, 0, len(res.Changes))
	var subs []SubscriptionStatus
	for _, c := range res.Changes {
		state := resourceState(c, p.DryRun)
		key := c.Region + "|" + c.ID
		if c.Applied && c.Err == nil && c.Action != reconcile.ActionNoop && c.Action != reconcile.ActionKeep && c.Action != reconcile.ActionConflict {
			b.lastChanges[key] = &ChangeRecord{At: end, ReconcileID: p.ReconcileID, Action: c.Action, Drift: drift && !fight[key], Changes: c.Changes}
		}
		r := ResourceStatus{ID: c.ID, Kind: string(c.Kind), Name: c.Name, Monitor: c.Monitor, Region: c.Region, State: state, Message: c.Message, LastChange: b.lastChanges[key]}
		if c.Err != nil {
			r.Error = Redact(c.Err).Error()
		}
		resources = append(resources, r)
		if topic, protocol, endpoint, ok := c.Ref().SubscriptionParts(); ok {
			subs = append(subs, SubscriptionStatus{ID: c.ID, Topic: topic, Protocol: protocol, Endpoint: endpoint,
				Confirmed: state == StateInSync, State: state})
		}
	}
	b.st.Resources = resources
	b.st.Subscriptions = subs
}

// ready is /readyz's answer.
func (b *statusBook) ready() bool { return b.snapshot().Ready }
