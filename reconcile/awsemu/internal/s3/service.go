package s3

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Endpoint is how S3 is addressed on the wire: restXml, recognised by the SigV4 signing name,
// the operation named by method, path and query.
var Endpoint = wire.Endpoint{Service: "s3", SigningName: "s3", REST: route}

// Service is the emulated S3: per-bucket state for the bucket names the world holds.
type Service struct {
	w       *core.World
	buckets map[string]*bucket
}

type bucket struct {
	name    string
	created time.Time
	// versioning is "" (never enabled), "Enabled" or "Suspended".
	versioning string
	// objects holds each key's versions, oldest first; the last is the current one.
	objects map[string][]*version
}

// version is one version of an object, or a delete marker.
type version struct {
	id           string // "" in a bucket that was never versioned; "null" for a suspended write
	data         []byte
	etag         string
	contentType  string
	modified     time.Time
	deleteMarker bool
}

// Register adds S3 to w.
func Register(w *core.World) *Service {
	s := &Service{w: w, buckets: map[string]*bucket{}}
	w.Register("s3", map[string]core.OpFunc{
		"CreateBucket":        s.createBucket,
		"HeadBucket":          s.headBucket,
		"PutBucketVersioning": s.putBucketVersioning,
		"GetBucketVersioning": s.getBucketVersioning,
		"ListObjectVersions":  s.listObjectVersions,
		"PutObject":           s.putObject,
		"GetObject":           s.getObject,
		"HeadObject":          s.headObject,
		"DeleteObject":        s.deleteObject,
	})
	return s
}

// CreateBucket makes a bucket exist, as the world's SeedBucket does.
func (s *Service) CreateBucket(name string) { s.bucketState(name, true) }

// bucketState returns the state of bucket name, or nil if it does not exist. create makes it.
func (s *Service) bucketState(name string, create bool) *bucket {
	if create {
		s.w.Buckets[name] = true
	}
	if !s.w.Buckets[name] {
		return nil
	}
	b := s.buckets[name]
	if b == nil {
		b = &bucket{name: name, created: s.w.Now, objects: map[string][]*version{}}
		s.buckets[name] = b
	}
	return b
}

// route names the operation of a path-style request: /BUCKET for bucket operations,
// /BUCKET/KEY for object operations. "" when the request is none of those kmswatch needs.
func route(r *http.Request) string {
	bucketName, key, _ := splitPath(r.URL)
	q := r.URL.Query()
	switch {
	case bucketName == "":
		return ""
	case key == "":
		return bucketOp(r.Method, q)
	}
	switch r.Method {
	case http.MethodPut:
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			return "CopyObject"
		}
		if q.Has("uploadId") {
			return "UploadPart"
		}
		return "PutObject"
	case http.MethodGet:
		return "GetObject"
	case http.MethodHead:
		return "HeadObject"
	case http.MethodDelete:
		return "DeleteObject"
	}
	return ""
}

func bucketOp(method string, q url.Values) string {
	switch {
	case method == http.MethodPut && q.Has("versioning"):
		return "PutBucketVersioning"
	case method == http.MethodPut && len(q) == 0:
		return "CreateBucket"
	case method == http.MethodGet && q.Has("versioning"):
		return "GetBucketVersioning"
	case method == http.MethodGet && q.Has("versions"):
		return "ListObjectVersions"
	case method == http.MethodHead:
		return "HeadBucket"
	}
	return ""
}

// splitPath reads /BUCKET/KEY from the escaped path, so that a key keeps an escaped slash.
func splitPath(u *url.URL) (bucketName, key string, err error) {
	p := strings.TrimPrefix(u.EscapedPath(), "/")
	b, k, _ := strings.Cut(p, "/")
	if bucketName, err = url.PathUnescape(b); err != nil {
		return "", "", err
	}
	key, err = url.PathUnescape(k)
	return bucketName, key, err
}

// target returns the call's bucket state and key, or NoSuchBucket.
func (s *Service) target(c *core.Call) (*bucket, string, error) {
	name, key, err := splitPath(c.Wire.HTTP.URL)
	if err != nil {
		return nil, "", wire.Errorf("InvalidURI", "Couldn't parse the specified URI.")
	}
	b := s.bucketState(name, false)
	if b == nil {
		return nil, "", errNoSuchBucket()
	}
	return b, key, nil
}

// newVersionID returns an opaque version id of 32 URL-safe characters, as S3's look.
func newVersionID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// S3's error shapes: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html

func errNoSuchBucket() *wire.APIError {
	return wire.NotFound("NoSuchBucket", "The specified bucket does not exist")
}

func errNoSuchKey() *wire.APIError {
	return wire.NotFound("NoSuchKey", "The specified key does not exist.")
}

func errNoSuchVersion() *wire.APIError {
	return wire.NotFound("NoSuchVersion", "The specified version does not exist.")
}

func errPrecondition() *wire.APIError {
	return &wire.APIError{Type: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold",
		Status: http.StatusPreconditionFailed}
}

func errNotModified() *wire.APIError {
	return &wire.APIError{Type: "NotModified", Message: "Not Modified", Status: http.StatusNotModified}
}

func errNotImplemented(msg string) *wire.APIError {
	return &wire.APIError{Type: "NotImplemented", Message: msg, Status: http.StatusNotImplemented, Receiver: true}
}
