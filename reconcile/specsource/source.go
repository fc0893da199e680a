package specsource

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Source is where a spec comes from.
type Source interface {
	// Location names the source in logs and /status: a path, or s3://BUCKET/KEY.
	Location() string
	// Fetch reads the content now.
	Fetch(ctx context.Context) (*Snapshot, error)
	// Poll returns the content if it differs from the version since, and nil if it does not.
	Poll(ctx context.Context, since Version) (*Snapshot, error)
}

// Version identifies one content of a source.
type Version struct {
	// SHA256 is the hex SHA-256 of the content: what a change of spec means, whatever the source.
	SHA256 string `json:"sha256"`
	// ETag is the S3 object's entity tag.
	ETag string `json:"etag,omitempty"`
	// VersionID is the S3 object's version, in a versioned bucket.
	VersionID string `json:"versionId,omitempty"`
	// Path is the file the content was read from, after symlinks.
	Path string `json:"path,omitempty"`
}

// Snapshot is one content of a source.
type Snapshot struct {
	Data    []byte
	Version Version
}

// ErrNotFound is matched (errors.Is) by the error of a source that does not exist: a deleted
// object or file.
var ErrNotFound = errors.New("spec source does not exist")

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
