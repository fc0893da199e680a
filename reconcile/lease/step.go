package lease

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kmswatch/kmswatch/reconcile/s3object"
)

// errClosed is returned by a step after Release: a released elector never leads again.
var errClosed = errors.New("lease elector released")

// step is one attempt of the election: a holder renews; anyone else reads the object and takes
// the lease when it is absent, released, or unchanged for a whole duration on this elector's
// clock. It returns how long to wait before the next step.
func (e *Elector) step(ctx context.Context) (time.Duration, error) {
	e.stepMu.Lock()
	defer e.stepMu.Unlock()
	if e.closed() {
		return e.renewEvery, errClosed
	}
	err := e.attempt(ctx)
	return e.finish(err), err
}

func (e *Elector) attempt(ctx context.Context) error {
	if e.holds() {
		err := e.renew(ctx)
		if err == nil || !lostRace(err) {
			return err
		}
		// Someone wrote since our last write: read who, below.
	}
	if err := e.observe(ctx); err != nil {
		return err
	}
	switch {
	case e.holds():
		// The object holds our own write, whose answer we never got (a timeout, a 5xx after
		// the write landed, an SDK retry that then met its own write): renew from it.
		return e.renew(ctx)
	case e.takeable():
		err := e.take(ctx)
		if lostRace(err) {
			// Another standby was faster: learn who now rather than a poll later.
			return e.observe(ctx)
		}
		return err
	}
	return nil
}

// lostRace reports S3's answers that mean another writer got there first: 412, a 409 from
// concurrent conditional writes, or 404 to an If-Match on an object deleted in between.
func lostRace(err error) bool {
	return s3object.IsPreconditionFailed(err) || s3object.IsConflict(err) || s3object.IsNotFound(err)
}

func (e *Elector) holds() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st.mine
}

func (e *Elector) closed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st.closed
}

func (e *Elector) takeable() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st.mine || !e.st.read {
		return false
	}
	if e.st.etag == "" || e.st.record != nil && e.st.record.Released {
		return true
	}
	return e.now().Sub(e.st.firstSeen) >= e.expiryLocked()
}

// expiryLocked is how long the object must stay unchanged before it may be taken: this
// elector's duration, or the holder's if that is longer (the holder promised to stop writing
// within two thirds of its own, not of ours). An unreadable record gets ours.
func (e *Elector) expiryLocked() time.Duration {
	if r := e.st.record; r != nil && time.Duration(r.LeaseDuration) > e.duration {
		return time.Duration(r.LeaseDuration)
	}
	return e.duration
}

// renew rewrites our record, on condition that the object is still our last write.
func (e *Elector) renew(ctx context.Context) error {
	e.mu.Lock()
	rec := e.recordLocked()
	rec.Renewals = e.st.renewals + 1
	etag := e.st.etag
	e.mu.Unlock()

	tag, sent, err := e.put(ctx, &rec, etag)
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case err == nil:
		e.wroteLocked(&rec, tag, sent)
		return nil
	case lostRace(err):
		// The object is no longer our last write: someone may be leading now, so stop at once.
		e.st.mine, e.st.validUntil = false, time.Time{}
		e.st.lostBy = "the lease object changed under it: another kmswatch took it over, or someone rewrote or deleted it"
	}
	return fmt.Errorf("renew lease %s: %w", e.loc, err)
}

// take writes a new term over the record we read (If-Match its ETag), or creates the object
// (If-None-Match *) when it was absent.
func (e *Elector) take(ctx context.Context) error {
	e.mu.Lock()
	now := e.now()
	rec := e.recordLocked()
	rec.Since, rec.Renewals, rec.Transitions = now, 1, 0
	if prev := e.st.record; prev != nil {
		rec.Transitions = prev.Transitions + 1
	}
	etag := e.st.etag
	e.mu.Unlock()

	tag, sent, err := e.put(ctx, &rec, etag)
	if err != nil {
		return fmt.Errorf("take lease %s: %w", e.loc, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.wroteLocked(&rec, tag, sent)
	return nil
}

// recordLocked is our record as of now, in the current term.
func (e *Elector) recordLocked() Record {
	r := Record{
		Holder: e.id.Host, HolderID: e.id.ID, TaskARN: e.id.TaskARN,
		RenewedAt: e.now(), LeaseDuration: Duration(e.duration), SpecDigest: e.st.specDigest,
	}
	if prev := e.st.record; prev != nil && e.st.mine {
		r.Since, r.Transitions = prev.Since, prev.Transitions
	}
	return r
}

// wroteLocked records a successful write of rec, sent at sent, that produced etag. The term is
// valid for the renew deadline from when the write was sent: a standby cannot have read it
// before then.
func (e *Elector) wroteLocked(rec *Record, etag string, sent time.Time) {
	e.st.read = true
	e.st.etag, e.st.record, e.st.recordErr, e.st.firstSeen = etag, rec, nil, e.now()
	e.st.mine = !rec.Released
	e.st.renewals = rec.Renewals
	if e.st.mine {
		e.st.validUntil, e.st.lastSent, e.st.lostBy = sent.Add(e.renewDeadline), sent, ""
	} else {
		e.st.validUntil = time.Time{}
	}
}

// put writes rec with a condition: If-Match ifMatch, or If-None-Match * when ifMatch is "".
// It returns the new ETag and when the request was sent.
func (e *Elector) put(ctx context.Context, rec *Record, ifMatch string) (string, time.Time, error) {
	in := &s3.PutObjectInput{
		Bucket: aws.String(e.loc.Bucket), Key: aws.String(e.loc.Key),
		Body: bytes.NewReader(encodeRecord(rec)), ContentType: aws.String("application/json"),
	}
	if ifMatch == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(ifMatch)
	}
	ctx, cancel := context.WithTimeout(ctx, e.callTimeout)
	defer cancel()
	sent := e.now()
	out, err := e.client.PutObject(ctx, in)
	if err != nil {
		return "", sent, err
	}
	if aws.ToString(out.ETag) == "" {
		// The write landed but cannot be renewed without its ETag: the next read finds it ours.
		return "", sent, errors.New("PutObject answered without an ETag")
	}
	return aws.ToString(out.ETag), sent, nil
}

// observe reads the object, conditionally on the ETag already seen, and notes what changed.
func (e *Elector) observe(ctx context.Context) error {
	e.mu.Lock()
	etag, read := e.st.etag, e.st.read
	e.mu.Unlock()

	in := &s3.GetObjectInput{Bucket: aws.String(e.loc.Bucket), Key: aws.String(e.loc.Key)}
	if etag != "" {
		in.IfNoneMatch = aws.String(etag)
	}
	cctx, cancel := context.WithTimeout(ctx, e.callTimeout)
	defer cancel()
	out, err := e.client.GetObject(cctx, in)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(out.Body, maxRecordSize+1))
		out.Body.Close()
	}
	// Taken after the answer: the write we are about to see was sent before this instant,
	// which is what makes "a whole duration since first seen" safe to judge.
	seen := e.now()

	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case s3object.IsNotModified(err):
		return nil
	case s3object.IsNotFound(err):
		if !read || etag != "" {
			e.seeLocked("", nil, nil, seen)
		}
		return nil
	case s3object.IsAccessDenied(err):
		return fmt.Errorf("read lease %s: access denied: kmswatch needs s3:GetObject and s3:PutObject on the object, and s3:ListBucket on the bucket, without which S3 answers a missing object with 403: %w", e.loc, err)
	case err != nil:
		return fmt.Errorf("read lease %s: %w", e.loc, err)
	}
	tag := aws.ToString(out.ETag)
	if read && tag == etag {
		return nil
	}
	rec, derr := decodeRecord(data)
	e.seeLocked(tag, rec, derr, seen)
	return nil
}

// seeLocked notes a new state of the object, read at seen.
func (e *Elector) seeLocked(etag string, rec *Record, recErr error, seen time.Time) {
	e.st.read = true
	e.st.etag, e.st.record, e.st.recordErr, e.st.firstSeen = etag, rec, recErr, seen
	if rec != nil && rec.HolderID == e.id.ID && !rec.Released {
		// Our own write. The deadline stays that of our last confirmed write, which was sent
		// before this one: the renewal that follows extends it.
		e.st.mine, e.st.renewals = true, rec.Renewals
		return
	}
	if e.st.mine {
		e.st.mine, e.st.validUntil = false, time.Time{}
		e.st.lostBy = "the lease object changed under it"
	}
}
