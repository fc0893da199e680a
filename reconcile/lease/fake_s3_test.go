package lease

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// backend is what the harness needs of an S3: the lease's calls, and a delete to play an
// operator who removes the lease object.
type backend interface {
	S3API
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var _ backend = (*s3.Client)(nil)

// memS3 is a small in-memory S3 that keeps state and honours what the lease relies on: ETags
// that are the MD5 of the content (as S3's are for single-part uploads, so identical content
// gets an identical ETag), PutObject If-None-Match * and If-Match, GetObject If-None-Match → 304,
// and S3's error codes and statuses.
type memS3 struct {
	mu   sync.Mutex
	objs map[string][]byte
}

// fault is one injected misbehaviour of the next call of an operation.
type fault int

const (
	faultHang         fault = iota + 1 // block until the caller's context ends; nothing lands
	faultLandThenFail                  // apply the write, then answer 500 (the answer is lost)
	faultFail                          // answer 500 without applying anything
	faultDenied                        // answer 403 AccessDenied
)

func newMemS3() *memS3 { return &memS3{objs: map[string][]byte{}} }

func etagOf(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func s3Err(op string, status int, code string) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: op, Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: http.StatusText(status)},
	}}
}

func (m *memS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objs[aws.ToString(in.Key)]
	if !ok {
		return nil, s3Err("GetObject", 404, "NoSuchKey")
	}
	tag := etagOf(data)
	if in.IfNoneMatch != nil && *in.IfNoneMatch == tag {
		return nil, s3Err("GetObject", 304, "NotModified")
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(data)), ETag: aws.String(tag)}, nil
}

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	data, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := aws.ToString(in.Key)
	cur, exists := m.objs[key]
	switch {
	case in.IfNoneMatch != nil && *in.IfNoneMatch == "*" && exists:
		return nil, s3Err("PutObject", 412, "PreconditionFailed")
	case in.IfMatch != nil && !exists:
		return nil, s3Err("PutObject", 404, "NoSuchKey")
	case in.IfMatch != nil && *in.IfMatch != etagOf(cur):
		return nil, s3Err("PutObject", 412, "PreconditionFailed")
	}
	m.objs[key] = data
	return &s3.PutObjectOutput{ETag: aws.String(etagOf(data))}, nil
}

func (m *memS3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, aws.ToString(in.Key))
	return &s3.DeleteObjectOutput{}, nil
}

// faulty wraps an S3 and plays the faults queued for the next calls of an operation.
type faulty struct {
	S3API
	mu     sync.Mutex
	queued map[string][]fault
}

func (f *faulty) inject(op string, x fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queued == nil {
		f.queued = map[string][]fault{}
	}
	f.queued[op] = append(f.queued[op], x)
}

func (f *faulty) next(op string) fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.queued[op]
	if len(q) == 0 {
		return 0
	}
	f.queued[op] = q[1:]
	return q[0]
}

func (f *faulty) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	switch f.next("GetObject") {
	case faultHang:
		<-ctx.Done()
		return nil, ctx.Err()
	case faultFail, faultLandThenFail:
		return nil, s3Err("GetObject", 500, "InternalError")
	case faultDenied:
		return nil, s3Err("GetObject", 403, "AccessDenied")
	}
	return f.S3API.GetObject(ctx, in, o...)
}

func (f *faulty) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	x := f.next("PutObject")
	switch x {
	case faultHang:
		<-ctx.Done()
		return nil, ctx.Err()
	case faultFail:
		return nil, s3Err("PutObject", 500, "InternalError")
	case faultDenied:
		return nil, s3Err("PutObject", 403, "AccessDenied")
	}
	out, err := f.S3API.PutObject(ctx, in, o...)
	if err == nil && x == faultLandThenFail {
		return nil, s3Err("PutObject", 500, "InternalError")
	}
	return out, err
}

// probe wraps an S3API: it counts one elector's calls, and can run a function just before
// that elector's next PutObject reaches S3 (to let a rival win a race deterministically).
type probe struct {
	S3API
	mu         sync.Mutex
	gets, puts int
	beforePut  func()
}

func (p *probe) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	p.mu.Lock()
	p.gets++
	p.mu.Unlock()
	return p.S3API.GetObject(ctx, in, o...)
}

func (p *probe) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	p.mu.Lock()
	p.puts++
	f := p.beforePut
	p.beforePut = nil
	p.mu.Unlock()
	if f != nil {
		f()
	}
	return p.S3API.PutObject(ctx, in, o...)
}

func (p *probe) counts() (gets, puts int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gets, p.puts
}
