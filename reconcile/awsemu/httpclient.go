package awsemu

import (
	"io"
	"net/http"
)

// HTTPClient returns an HTTP client for SDK clients pointed at the emulator (aws.Config's
// HTTPClient). It works around a race in smithy-go v1.28.9 that a loopback server, answering in
// microseconds, hits often and a remote endpoint rarely:
//
// smithy wraps a request body in safeWriteToReadCloser and closes it as soon as client.Do
// returns the response headers. net/http's writeLoop, after copying Content-Length bytes, copies
// the rest of the body to io.Discard to check for extra data; io.Copy uses the body's WriteTo,
// which, once closed, returns io.EOF — an error to io.Copy's caller. The transport then treats
// the request write as failed and closes the connection, and the SDK's read of a response body
// larger than the socket's buffered bytes fails with "use of closed network connection". It
// shows with request bodies over ~3.5 KB (a DescribeAlarms of 100 names) and responses of tens
// of KB. Hiding WriteTo makes io.Copy use Read, which returns (0, io.EOF) once closed: a clean end.
func HTTPClient() *http.Client {
	return &http.Client{Transport: readOnlyBodies{http.DefaultTransport.(*http.Transport).Clone()}}
}

type readOnlyBodies struct{ rt http.RoundTripper }

func (t readOnlyBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r2 := r.Clone(r.Context())
		r2.Body = readCloser{r.Body}
		r = r2
	}
	return t.rt.RoundTrip(r)
}

// readCloser exposes only Read and Close.
type readCloser struct{ rc io.ReadCloser }

func (b readCloser) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b readCloser) Close() error               { return b.rc.Close() }
