package specsource

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/spec"
)

// S3API is the part of the S3 client the S3 source uses, with the SDK's signature.
type S3API interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// S3 is a spec kept in one S3 object.
type S3 struct {
	client S3API
	loc    s3object.Location
}

var _ Source = (*S3)(nil)

// NewS3 returns the source for the object at loc (s3object.ParseURL reads s3://BUCKET/KEY).
func NewS3(client S3API, loc s3object.Location) *S3 { return &S3{client: client, loc: loc} }

// Location returns s3://BUCKET/KEY.
func (s *S3) Location() string { return s.loc.String() }

// Fetch reads the object.
func (s *S3) Fetch(ctx context.Context) (*Snapshot, error) { return s.get(ctx, "") }

// Poll reads the object only if its ETag is no longer since.ETag: S3 answers 304 Not Modified,
// without a body, while it is.
func (s *S3) Poll(ctx context.Context, since Version) (*Snapshot, error) {
	snap, err := s.get(ctx, since.ETag)
	if s3object.IsNotModified(err) {
		return nil, nil
	}
	return snap, err
}

func (s *S3) get(ctx context.Context, ifNoneMatch string) (*Snapshot, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(s.loc.Bucket), Key: aws.String(s.loc.Key)}
	if ifNoneMatch != "" {
		in.IfNoneMatch = aws.String(ifNoneMatch)
	}
	out, err := s.client.GetObject(ctx, in)
	switch {
	case s3object.IsNotModified(err):
		return nil, err
	case s3object.IsNotFound(err):
		return nil, fmt.Errorf("read spec %s: the object does not exist: %w", s.loc, ErrNotFound)
	case s3object.IsAccessDenied(err):
		return nil, fmt.Errorf("read spec %s: access denied: kmswatch needs s3:GetObject on the object (and s3:ListBucket on the bucket, without which S3 answers a deleted object with 403): %w", s.loc, err)
	case err != nil:
		return nil, fmt.Errorf("read spec %s: %w", s.loc, err)
	}
	defer out.Body.Close()
	// One byte past the limit, so that the loader can say the object is too large without this
	// holding a huge object in memory.
	data, err := io.ReadAll(io.LimitReader(out.Body, spec.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read spec %s: %w", s.loc, err)
	}
	return &Snapshot{Data: data, Version: Version{
		SHA256: digest(data), ETag: aws.ToString(out.ETag), VersionID: aws.ToString(out.VersionId),
	}}, nil
}
