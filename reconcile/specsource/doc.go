// Package specsource reads the spec and notices when it changes, from an S3 object
// (kmswatch -f s3://BUCKET/KEY) or a local file, behind one Source interface, and keeps the
// last spec that loaded in force when an edit does not.
//
// A Source gives content and a Version: Fetch reads it now; Poll(since) returns the content only
// if it differs from since. The S3 source polls with a conditional GET (If-None-Match: the ETag
// seen last), which S3 answers 304 Not Modified, without a body, while nothing changed; it
// reports the ETag and, in a versioned bucket, the VersionId. The file source resolves symlinks
// (a ConfigMap-style swap), digests the content, and reports a change only once it has held
// still for one poll, so that a writer caught between truncate and write is not read as an edit.
//
// Watcher runs a Source: it loads the first version (and fails if it does not load, as a daemon
// started on a broken spec has nothing good to enforce), then polls every interval (default 10s).
// An edit that loads is handed on; an edit that does not — invalid, empty — and a source that
// cannot be read — a deleted object, access denied, a network error — are logged once each and
// shown in Status, and the last good spec stays in force. A deleted source is also a rejected
// edit (Rejected.Missing), reported like an invalid one through Options.OnRejected. Nothing here deletes anything, and
// nothing downstream sees a spec that did not load.
//
// Permissions (IAM) for an S3 spec: s3:GetObject on arn:aws:s3:::BUCKET/KEY; s3:ListBucket on
// the bucket (it may be limited to the key with the s3:prefix condition) only so that a deleted
// object reads as "not found" rather than "access denied"; kms:Decrypt on the key if the object
// is encrypted with a customer managed KMS key.
package specsource
