// Package s3object is what kmswatch needs to address one S3 object and to read S3's answers to
// conditional requests; the lease and the S3 spec source share it.
//
// Contract:
//   - ParseURL accepts exactly s3://BUCKET/KEY, with a bucket named by S3's rules for general
//     purpose buckets and a non-empty key that does not end in "/", and says which part is wrong
//     otherwise.
//   - The classifiers (IsPreconditionFailed, IsConflict, IsNotModified, IsNotFound,
//     IsAccessDenied) look at the AWS error code first and at the HTTP status second, because S3
//     answers some conditions (304 Not Modified on a GET) without an error body, and the SDK then
//     derives the code from the status text.
package s3object
