package awsemu

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// objectResponse is a restXml handler's own response: status, ETag and payload.
type objectResponse struct {
	status int
	etag   string
	body   []byte
}

func (o objectResponse) WriteHTTP(w http.ResponseWriter) {
	w.Header().Set("ETag", o.etag)
	w.WriteHeader(o.status)
	_, _ = w.Write(o.body)
}

// The wire layer takes a restXml service as it is: routed by the SigV4 signing name, the
// operation named from method and path, headers and payload read by the handler, a response
// that writes itself, and errors as restXml's <Error> document. A toy object store, signed for
// a service of its own, keeps this test apart from the emulated S3.
func TestRESTXMLServiceRouting(t *testing.T) {
	e := New(Options{})
	objects := map[string][]byte{}
	etag := func(b []byte) string { sum := md5.Sum(b); return `"` + hex.EncodeToString(sum[:]) + `"` }
	e.router.Add(wire.Endpoint{Service: "toy", SigningName: "toy", REST: func(r *http.Request) string {
		switch r.Method {
		case http.MethodPut:
			return "PutObject"
		case http.MethodGet:
			return "GetObject"
		case http.MethodHead:
			return "HeadObject"
		}
		return ""
	}})
	get := func(c *core.Call) (any, error) {
		b, ok := objects[c.Wire.HTTP.URL.Path]
		if !ok {
			return nil, wire.NotFound("NoSuchKey", "The specified key does not exist.")
		}
		if m := c.Wire.HTTP.Header.Get("If-Match"); m != "" && m != etag(b) {
			return nil, &wire.APIError{Type: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold", Status: http.StatusPreconditionFailed}
		}
		return objectResponse{status: http.StatusOK, etag: etag(b), body: b}, nil
	}
	e.w.Register("toy", map[string]core.OpFunc{
		"PutObject": func(c *core.Call) (any, error) {
			key := c.Wire.HTTP.URL.Path
			if c.Wire.HTTP.Header.Get("If-None-Match") == "*" && objects[key] != nil {
				return nil, &wire.APIError{Type: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold", Status: http.StatusPreconditionFailed}
			}
			objects[key] = append([]byte(nil), c.Wire.Body...)
			return objectResponse{status: http.StatusOK, etag: etag(c.Wire.Body)}, nil
		},
		"GetObject":  get,
		"HeadObject": get,
	})
	client := InProcessClient(e)
	do := func(method, path, body string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, "http://bucket.s3.invalid"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDS3/20260101/us-east-1/toy/aws4_request, SignedHeaders=host, Signature=0")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	put, _ := do(http.MethodPut, "/k", "hello", "If-None-Match", "*")
	if put.StatusCode != 200 || put.Header.Get("ETag") != etag([]byte("hello")) || put.Header.Get("X-Amz-Request-Id") == "" {
		t.Fatalf("PutObject: %d %v", put.StatusCode, put.Header)
	}
	again, body := do(http.MethodPut, "/k", "other", "If-None-Match", "*")
	if again.StatusCode != http.StatusPreconditionFailed || !strings.Contains(body, "<Code>PreconditionFailed</Code>") ||
		again.Header.Get("Content-Type") != "application/xml" {
		t.Fatalf("conditional PutObject over an object: %d %s", again.StatusCode, body)
	}
	got, body := do(http.MethodGet, "/k", "")
	if got.StatusCode != 200 || body != "hello" {
		t.Fatalf("GetObject: %d %q", got.StatusCode, body)
	}
	stale, body := do(http.MethodGet, "/k", "", "If-Match", `"0"`)
	if stale.StatusCode != http.StatusPreconditionFailed || !bytes.Contains([]byte(body), []byte("<RequestId>")) {
		t.Fatalf("GetObject If-Match a stale ETag: %d %s", stale.StatusCode, body)
	}
	missing, body := do(http.MethodHead, "/nope", "")
	if missing.StatusCode != http.StatusNotFound || body != "" {
		t.Fatalf("HeadObject of a missing key: %d %q (a HEAD answer has no body)", missing.StatusCode, body)
	}
	log := e.Instruments().CallLog()
	if len(log) != 5 || log[1].Op != "PutObject" || log[1].Code != "PreconditionFailed" || log[4].Code != "NoSuchKey" || log[0].AccessKey != "AKIDS3" {
		t.Fatalf("call log: %+v", log)
	}
}
