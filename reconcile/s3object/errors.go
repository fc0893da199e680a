package s3object

import (
	"errors"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Code returns the AWS error code of err, or "" when it carries none.
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// status returns the HTTP status of the response that err came from, or 0.
func status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// IsPreconditionFailed reports a 412: an If-Match or If-None-Match condition of a write did not
// hold, so another writer got there first.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
func IsPreconditionFailed(err error) bool {
	return err != nil && (Code(err) == "PreconditionFailed" || status(err) == http.StatusPreconditionFailed)
}

// IsConflict reports a 409 ConditionalRequestConflict: S3 was deciding another conditional write
// of the same key at the same time. For a lease it means the same as a 412: someone else wrote.
func IsConflict(err error) bool {
	return err != nil && (Code(err) == "ConditionalRequestConflict" || status(err) == http.StatusConflict)
}

// IsNotModified reports a 304 answer to a GET with If-None-Match: the object still has that ETag.
func IsNotModified(err error) bool {
	return err != nil && (Code(err) == "NotModified" || status(err) == http.StatusNotModified)
}

// IsNotFound reports that the object does not exist (NoSuchKey, or a 404 without a code). A
// missing bucket (NoSuchBucket) is not "not found": it is a configuration error.
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	switch Code(err) {
	case "NoSuchKey", "NotFound":
		return true
	case "NoSuchBucket":
		return false
	}
	return Code(err) == "" && status(err) == http.StatusNotFound
}

// IsAccessDenied reports a 403. Without s3:ListBucket on the bucket, S3 answers a GET of a
// missing object with 403 rather than 404, so callers mention that in their message.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Permissions)
func IsAccessDenied(err error) bool {
	return err != nil && (Code(err) == "AccessDenied" || status(err) == http.StatusForbidden)
}
