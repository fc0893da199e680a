package specsource

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// DefaultPollInterval is how often a Watcher polls when Options.Interval is zero: the
// --spec-poll default for an S3 spec, where each poll is a request.
const DefaultPollInterval = 10 * time.Second

// LoadFunc turns a source's content into a spec, or says why it cannot (spec.LoadBytes,
// wrapped). name is the source's Location, for messages.
type LoadFunc[T any] func(data []byte, name string) (T, error)

// Options configure a Watcher.
type Options struct {
	// Interval between polls; default DefaultPollInterval.
	Interval time.Duration
	Log      logr.Logger
	// Now is the clock for the times in Status; default time.Now.
	Now func() time.Time
	// OnRejected, if set, is called once for each version that does not load, and once when the
	// source ceases to exist (Rejected.Missing), from the goroutine that polled, without the
	// watcher's lock held.
	OnRejected func(Rejected)
}

// Loaded is a spec that loaded, and the version it was loaded from.
type Loaded[T any] struct {
	Spec     T
	Version  Version
	LoadedAt time.Time
}

// Rejected is a version of the source that did not load, or the source's disappearance.
type Rejected struct {
	Version Version   `json:"version"`
	At      time.Time `json:"at"`
	Error   string    `json:"error"`
	// Missing says the source no longer exists (a deleted file or object): an edit too, which
	// would empty the spec, and is rejected like one.
	Missing bool `json:"missing,omitempty"`
}

// Status is what a Watcher shows of its source.
type Status struct {
	Location string    `json:"location"`
	Version  Version   `json:"version"`
	LoadedAt time.Time `json:"loadedAt"`
	// Rejected is set while the source holds a version newer than Version that did not load,
	// or no longer exists.
	Rejected *Rejected `json:"rejected,omitempty"`
	// ReadError is set while the source cannot be read (deleted, access denied, unreachable).
	ReadError string `json:"readError,omitempty"`
}

// Watcher keeps the last spec of a Source that loaded.
type Watcher[T any] struct {
	src      Source
	load     LoadFunc[T]
	interval time.Duration
	log      logr.Logger
	now      func() time.Time
	onReject func(Rejected)

	mu       sync.Mutex
	cur      *Loaded[T]
	seen     Version // the last version polled, good or rejected: polls ask for newer ones
	rejected *Rejected
	readErr  error
}

// NewWatcher returns a Watcher of src that loads with load.
func NewWatcher[T any](src Source, load LoadFunc[T], o Options) (*Watcher[T], error) {
	if src == nil || load == nil {
		return nil, errors.New("new spec watcher: a source and a load function are required")
	}
	if o.Interval < 0 {
		return nil, fmt.Errorf("new spec watcher: poll interval must be positive, got %s", o.Interval)
	}
	if o.Interval == 0 {
		o.Interval = DefaultPollInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Watcher[T]{src: src, load: load, interval: o.Interval, log: o.Log.WithValues("source", src.Location()), now: o.Now,
		onReject: o.OnRejected}, nil
}

// Start reads and loads the source. It fails if the source cannot be read or does not load;
// the error from load is returned as it is (it names the source, which load is given), so that
// callers can tell an invalid spec (exit code 3) from an unreadable one.
func (w *Watcher[T]) Start(ctx context.Context) (*Loaded[T], error) {
	snap, err := w.src.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	s, err := w.load(snap.Data, w.src.Location())
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cur = &Loaded[T]{Spec: s, Version: snap.Version, LoadedAt: w.now()}
	w.seen = snap.Version
	return w.cur, nil
}

// Current returns the spec in force: the last one that loaded (nil before Start).
func (w *Watcher[T]) Current() *Loaded[T] {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cur
}

// Status returns what the watcher shows of its source.
func (w *Watcher[T]) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := Status{Location: w.src.Location(), Rejected: w.rejected}
	if w.cur != nil {
		s.Version, s.LoadedAt = w.cur.Version, w.cur.LoadedAt
	}
	if w.readErr != nil {
		s.ReadError = w.readErr.Error()
	}
	return s
}

// Run polls every interval until ctx is done, and sends each newly loaded spec on out (it
// blocks until the receiver takes it, or ctx ends). Start must have succeeded.
func (w *Watcher[T]) Run(ctx context.Context, out chan<- *Loaded[T]) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l := w.Poll(ctx)
		if l == nil {
			continue
		}
		select {
		case out <- l:
		case <-ctx.Done():
			return
		}
	}
}

// Poll polls the source once and returns the new spec if a new version loaded, nil otherwise:
// unchanged, rejected, or unreadable (each logged once, and kept in Status).
func (w *Watcher[T]) Poll(ctx context.Context) *Loaded[T] {
	w.mu.Lock()
	seen := w.seen
	w.mu.Unlock()
	snap, err := w.src.Poll(ctx, seen)
	if err != nil {
		if ctx.Err() == nil {
			w.report(w.unreadable(err))
		}
		return nil
	}
	w.readable()
	if snap == nil {
		return nil
	}
	l, rejected := w.consider(snap)
	w.report(rejected)
	return l
}

func (w *Watcher[T]) report(r *Rejected) {
	if r != nil && w.onReject != nil {
		w.onReject(*r)
	}
}

// unreadable notes a source that cannot be read; a source that no longer exists is also a
// rejected edit, which it returns the first time.
func (w *Watcher[T]) unreadable(err error) *Rejected {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.readErr == nil || w.readErr.Error() != err.Error() {
		w.log.Error(err, "spec source unreadable: the previous spec stays in force", "inForce", w.cur.Version)
	}
	w.readErr = err
	if !errors.Is(err, ErrNotFound) || (w.rejected != nil && w.rejected.Missing) {
		return nil
	}
	w.rejected = &Rejected{At: w.now(), Error: err.Error(), Missing: true}
	r := *w.rejected
	return &r
}

func (w *Watcher[T]) readable() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.readErr != nil {
		w.log.Info("spec source readable again", "after", w.readErr.Error())
		w.readErr = nil
	}
	if w.rejected != nil && w.rejected.Missing {
		w.rejected = nil
	}
}

// consider loads a new version, unless its content is the one in force (an S3 object rewritten
// with the same bytes under a new ETag, a file renamed over with the same content). It returns
// the spec that loaded, or the rejection.
func (w *Watcher[T]) consider(snap *Snapshot) (*Loaded[T], *Rejected) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = snap.Version
	if snap.Version.SHA256 == w.cur.Version.SHA256 {
		w.cur.Version, w.rejected = snap.Version, nil
		return nil, nil
	}
	s, err := w.load(snap.Data, w.src.Location())
	if err != nil {
		w.rejected = &Rejected{Version: snap.Version, At: w.now(), Error: err.Error()}
		w.log.Error(err, "spec edit rejected: the previous spec stays in force", "rejected", snap.Version, "inForce", w.cur.Version)
		r := *w.rejected
		return nil, &r
	}
	w.cur, w.rejected = &Loaded[T]{Spec: s, Version: snap.Version, LoadedAt: w.now()}, nil
	w.log.Info("spec changed", "version", snap.Version)
	return w.cur, nil
}
