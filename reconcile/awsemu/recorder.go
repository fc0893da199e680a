package awsemu

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Recorder is an http.Handler in front of an AWS endpoint — an Emulator, or a reverse proxy to
// moto — that records every call on the real clock: when it arrived and when it was answered,
// the access key it was signed with, the service and operation (told apart as the emulator tells
// them), the HTTP status, and for S3 the bucket, the key and the version id a write produced.
// Tests that run several processes against one endpoint use it to attribute calls and to put
// them on one timeline, which the emulator's CallLog (on the emulated clock) and moto (no call
// log at all) cannot give. It is part of the test surface, not of the emulated AWS.
type Recorder struct {
	next   http.Handler
	router *wire.Router
	opts   RecorderOptions

	s3Writes sync.Mutex // held around S3 writes when SerialiseS3Writes
	mu       sync.Mutex
	calls    []RecordedCall
}

// RecorderOptions tune a Recorder.
type RecorderOptions struct {
	// SerialiseS3Writes lets one S3 write through at a time. moto 5.2.1 decides a conditional
	// write (If-Match, If-None-Match) and then stores the object in two steps without a lock, on
	// a threaded server, where S3 decides it atomically; in front of moto this restores S3's
	// semantics, so that a test checks its clients rather than moto's thread scheduling.
	SerialiseS3Writes bool
}

// RecordedCall is one call as a Recorder saw it.
type RecordedCall struct {
	Start, End time.Time
	AccessKey  string
	// Service and Op as the emulator names them ("s3", "PutObject"); "" when unrecognised.
	Service, Op string
	Status      int
	// Bucket and Key of an S3 call, and the x-amz-version-id of its answer.
	Bucket, Key, VersionID string
}

// OK reports a 2xx answer.
func (c RecordedCall) OK() bool { return c.Status >= 200 && c.Status < 300 }

// NewRecorder records the calls that next serves.
func NewRecorder(next http.Handler, o RecorderOptions) *Recorder {
	return &Recorder{next: next, router: newRouter(), opts: o}
}

// Calls returns every call answered so far, in the order they were answered.
func (r *Recorder) Calls() []RecordedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]RecordedCall(nil), r.calls...)
}

// ServeHTTP classifies the request, hands it on, and records it once answered.
func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	c := RecordedCall{Start: time.Now()}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "recorder: read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	probe := req.Clone(req.Context())
	probe.Body = io.NopCloser(bytes.NewReader(body))
	if wr, err := r.router.Read(probe); err == nil {
		c.Service, c.Op, c.AccessKey = wr.Service, wr.Op, wr.AccessKey
	}
	if c.Service == "s3" {
		c.Bucket, c.Key = splitS3Path(req.URL)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	sw := &statusWriter{ResponseWriter: w}
	if r.opts.SerialiseS3Writes && c.Service == "s3" && req.Method != http.MethodGet && req.Method != http.MethodHead {
		r.s3Writes.Lock()
		r.next.ServeHTTP(sw, req)
		r.s3Writes.Unlock()
	} else {
		r.next.ServeHTTP(sw, req)
	}
	c.End, c.Status, c.VersionID = time.Now(), sw.status, sw.versionID
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

func splitS3Path(u *url.URL) (bucket, key string) {
	b, k, _ := strings.Cut(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	bucket, _ = url.PathUnescape(b)
	key, _ = url.PathUnescape(k)
	return bucket, key
}

// statusWriter keeps the status and version id an answer was written with.
type statusWriter struct {
	http.ResponseWriter
	status    int
	versionID string
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status, s.versionID = code, s.Header().Get("X-Amz-Version-Id")
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}
