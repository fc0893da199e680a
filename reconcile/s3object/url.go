package s3object

import (
	"fmt"
	"strings"
)

// Location is one S3 object.
type Location struct {
	Bucket string
	Key    string
}

// String returns the location as s3://BUCKET/KEY.
func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Key }

// ParseURL reads s3://BUCKET/KEY. The error names the part that is wrong.
func ParseURL(s string) (Location, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return Location{}, fmt.Errorf("S3 URL %q: must start with s3://", s)
	}
	bucket, key, ok := strings.Cut(rest, "/")
	if !ok || key == "" {
		return Location{}, fmt.Errorf("S3 URL %q: no object key: want s3://BUCKET/KEY", s)
	}
	if err := checkBucket(bucket); err != nil {
		return Location{}, fmt.Errorf("S3 URL %q: bucket %q: %w", s, bucket, err)
	}
	if strings.HasSuffix(key, "/") {
		return Location{}, fmt.Errorf("S3 URL %q: key %q ends in / and so names a folder, not an object", s, key)
	}
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
	if len(key) > 1024 {
		return Location{}, fmt.Errorf("S3 URL %q: key is %d bytes long, more than S3's 1024", s, len(key))
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// checkBucket applies the naming rules of general purpose buckets:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
func checkBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("must be 3 to 63 characters long, is %d", len(b))
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return fmt.Errorf("may hold only lower-case letters, digits, '.' and '-', has %q", c)
		}
	}
	if !alnum(b[0]) || !alnum(b[len(b)-1]) {
		return fmt.Errorf("must begin and end with a letter or a digit")
	}
	if strings.Contains(b, "..") {
		return fmt.Errorf("must not hold two adjacent periods")
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
