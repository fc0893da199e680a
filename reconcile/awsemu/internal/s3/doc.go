// Package s3 is the emulated Amazon S3 subset that kmswatch's lease and S3 spec source use
// (service id "s3", restXml, path-style addressing: /BUCKET/KEY): buckets (CreateBucket,
// HeadBucket, Put/GetBucketVersioning, ListObjectVersions) and objects (PutObject, GetObject,
// HeadObject, DeleteObject) with ETags, version ids and conditional requests.
//
// Contract, as AWS documents S3 (https://docs.aws.amazon.com/AmazonS3/latest/API/):
//   - A bucket exists once CreateBucket or the world's SeedBucket made it: World.Buckets is the
//     one set of bucket names, so a seeded trail bucket is a real bucket and a bucket created
//     through the API can hold a trail. Bucket names follow S3's rules for general purpose
//     buckets (InvalidBucketName otherwise). Outside us-east-1, CreateBucket must name the
//     request's region as its LocationConstraint (IllegalLocationConstraintException otherwise).
//     CreateBucket of a bucket this account already owns answers 200 in us-east-1 and 409
//     BucketAlreadyOwnedByYou elsewhere.
//   - An ETag is the quoted hex MD5 of the content (a single-part upload); Content-MD5, when
//     sent, must match (BadDigest).
//   - Conditional writes are decided atomically (handlers run under the emulator's one lock):
//     PutObject If-None-Match: * fails 412 PreconditionFailed when a current version exists;
//     If-Match fails 412 when the ETag differs and 404 NoSuchKey when there is no object.
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
//   - Conditional reads (GetObject, HeadObject): If-Match that does not hold is 412, an
//     If-None-Match that holds is 304 Not Modified, without a body.
//   - Versioning: in an unversioned bucket a write replaces the object and answers no version
//     id; with versioning Enabled every write and every delete (a delete marker) is a new
//     version; Suspended writes the "null" version. A current delete marker reads as NoSuchKey.
//   - HEAD answers and 304s carry no body: the SDK derives the error code from the status
//     (NotFound, PreconditionFailed, NotModified), as it does against S3.
//   - Object reads and writes are data events, which CloudTrail does not record unless a trail
//     asks for them; bucket operations are management events (eventSource s3.amazonaws.com).
//
// Not modelled: regions of buckets (any region's endpoint reaches every bucket, where S3 would
// redirect), virtual-hosted-style addressing, ranges, multipart uploads, copies, object ACLs,
// tags and metadata, time-based conditions (If-Modified-Since, If-Unmodified-Since), checksums
// other than Content-MD5, and bucket policies (every signed caller is allowed).
package s3
