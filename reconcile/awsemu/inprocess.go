package awsemu

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// InProcessClient returns an HTTP client whose transport hands each request straight to
// e.ServeHTTP, with no socket: unit tests get the emulator as their one in-memory AWS with no
// port to allocate, and without the smithy-go request-body race that HTTPClient works around
// (that race lives in net/http's connection write loop, which this transport never uses).
// Point an SDK config at any http:// BaseEndpoint (the host is not dialled) with this client:
//
//	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://awsemu"),
//		HTTPClient: awsemu.InProcessClient(e), Credentials: ...}
//
// Requests are served one at a time, as over HTTP; a cancelled context fails the request
// before it reaches the emulator.
func InProcessClient(e *Emulator) *http.Client {
	return &http.Client{Transport: inProcess{h: e}}
}

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	// The server side sees a request with its own copy of the body, as a socket would give it;
	// the client's body is read to the end and closed, as a transport must.
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("awsemu in-process: read request body: %w", err)
		}
		body = b
	}
	sr := r.Clone(r.Context())
	sr.Body = io.NopCloser(bytes.NewReader(body))
	sr.ContentLength = int64(len(body))
	sr.RequestURI = r.URL.RequestURI()
	sr.RemoteAddr = "127.0.0.1:0"
	if sr.Host == "" {
		sr.Host = r.URL.Host
	}
	rec := &recorder{header: http.Header{}}
	t.h.ServeHTTP(rec, sr)
	rec.WriteHeader(http.StatusOK) // a handler that wrote nothing answered 200

	out := rec.buf.Bytes()
	if r.Method == http.MethodHead {
		out = nil
	}
	resp := &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.sent,
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)),
		Request:       r,
	}
	return resp, nil
}

// recorder is the http.ResponseWriter the in-process transport hands the emulator.
type recorder struct {
	header http.Header
	// sent is the header as of WriteHeader: later changes are not sent, as over HTTP.
	sent   http.Header
	status int
	buf    bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.sent = w.header.Clone()
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.buf.Write(p)
}
