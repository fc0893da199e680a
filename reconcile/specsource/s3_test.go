package specsource

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
	"github.com/kmswatch/kmswatch/reconcile/s3object"
	"github.com/kmswatch/kmswatch/spec"
)

// answers records how S3 answered each GetObject: "200", "304", or the error code.
type answers struct {
	S3API
	mu  sync.Mutex
	got []string
}

func (a *answers) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	out, err := a.S3API.GetObject(ctx, in, o...)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case err == nil:
		a.got = append(a.got, "200")
	case s3object.IsNotModified(err):
		a.got = append(a.got, "304")
	default:
		a.got = append(a.got, s3object.Code(err))
	}
	return out, err
}

func (a *answers) take() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := strings.Join(a.got, ",")
	a.got = nil
	return s
}

// TestS3Moto runs the S3 source against moto_server: upload, polls answered 304, an edit, an
// invalid edit, an emptied object, a deleted object, a versioned bucket, and Run.
func TestS3Moto(t *testing.T) {
	srv := mototest.Start(t)
	client := mototest.S3Client(srv.URL)
	ctx := context.Background()
	loc, err := s3object.ParseURL("s3://kmswatch-specs/prod/monitor.yaml")
	if err != nil {
		t.Fatal(err)
	}
	put := func(t *testing.T, data string) string {
		t.Helper()
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key), Body: strings.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ETag)
	}
	fresh := func(t *testing.T, versioned bool) {
		srv.Reset(t)
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)}); err != nil {
			t.Fatal(err)
		}
		if versioned {
			_, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(loc.Bucket),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("edits", func(t *testing.T) {
		fresh(t, false)
		tag1 := put(t, monitorYAML("one"))
		rec := &answers{S3API: client}
		log := &lines{}
		w := newWatcher(t, NewS3(rec, loc), log)
		l, err := w.Start(ctx)
		if err != nil || monitorNames(l) != "one" || l.Version.ETag != tag1 || l.Version.SHA256 != digest([]byte(monitorYAML("one"))) {
			t.Fatalf("Start: %+v, %v", l, err)
		}
		for i := 0; i < 3; i++ {
			if l := w.Poll(ctx); l != nil {
				t.Fatal("an unchanged object was reported as changed")
			}
		}
		if got := rec.take(); got != "200,304,304,304" {
			t.Fatalf("S3 answered %s, want the unchanged polls answered 304", got)
		}

		tag2 := put(t, monitorYAML("two"))
		if l := w.Poll(ctx); l == nil || monitorNames(l) != "two" || l.Version.ETag != tag2 || tag2 == tag1 {
			t.Fatalf("edit: %+v", l)
		}
		if !hasLine(log.take(), "spec changed") {
			t.Fatal("the edit was not logged")
		}

		tagBad := put(t, invalidYAML)
		if l := w.Poll(ctx); l != nil {
			t.Fatal("an invalid edit was handed on")
		}
		st := w.Status()
		if st.Rejected == nil || st.Rejected.Version.ETag != tagBad || !strings.Contains(st.Rejected.Error, "s3://kmswatch-specs/prod/monitor.yaml") ||
			!strings.Contains(st.Rejected.Error, "thresold: unknown field") || st.Version.ETag != tag2 || monitorNames(w.Current()) != "two" {
			t.Fatalf("invalid edit: %+v", st)
		}
		w.Poll(ctx)
		if got := rec.take(); got != "200,200,304" {
			t.Fatalf("S3 answered %s: the rejected version must not be fetched again", got)
		}
		if ls := log.take(); len(ls) != 1 || !hasLine(ls, "spec edit rejected: the previous spec stays in force") {
			t.Fatalf("log: %v", ls)
		}

		put(t, "")
		if l := w.Poll(ctx); l != nil || w.Status().Rejected == nil || !strings.Contains(w.Status().Rejected.Error, "no Monitor document") {
			t.Fatalf("an emptied object: %+v, %+v", l, w.Status())
		}
		log.take()

		if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key)}); err != nil {
			t.Fatal(err)
		}
		w.Poll(ctx)
		w.Poll(ctx)
		st = w.Status()
		if !strings.Contains(st.ReadError, "the object does not exist") || monitorNames(w.Current()) != "two" {
			t.Fatalf("deleted: %+v", st)
		}
		if ls := log.take(); len(ls) != 1 || !hasLine(ls, "spec source unreadable: the previous spec stays in force") {
			t.Fatalf("log: %v", ls)
		}
		_, err = w.src.Poll(ctx, w.seen)
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted object: %v", err)
		}

		put(t, monitorYAML("three"))
		if l := w.Poll(ctx); l == nil || monitorNames(l) != "three" || w.Status().ReadError != "" || w.Status().Rejected != nil {
			t.Fatalf("re-uploaded: %+v, %+v", l, w.Status())
		}
	})

	t.Run("versioned bucket", func(t *testing.T) {
		fresh(t, true)
		put(t, monitorYAML("one"))
		w := newWatcher(t, NewS3(client, loc), &lines{})
		l, err := w.Start(ctx)
		if err != nil || l.Version.VersionID == "" {
			t.Fatalf("Start: %+v, %v", l, err)
		}
		v1 := l.Version.VersionID
		put(t, monitorYAML("two"))
		l = w.Poll(ctx)
		if l == nil || l.Version.VersionID == "" || l.Version.VersionID == v1 {
			t.Fatalf("edit: %+v (first version %s)", l, v1)
		}
	})

	t.Run("start", func(t *testing.T) {
		fresh(t, false)
		_, err := newWatcher(t, NewS3(client, loc), &lines{}).Start(ctx)
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing object: %v", err)
		}
		put(t, invalidYAML)
		_, err = newWatcher(t, NewS3(client, loc), &lines{}).Start(ctx)
		var list spec.ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("invalid object: %v", err)
		}
		missingBucket := s3object.Location{Bucket: "no-such-bucket-here", Key: "monitor.yaml"}
		_, err = newWatcher(t, NewS3(client, missingBucket), &lines{}).Start(ctx)
		if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "NoSuchBucket") {
			t.Fatalf("missing bucket: %v", err)
		}
	})

	t.Run("run", func(t *testing.T) {
		fresh(t, false)
		put(t, monitorYAML("one"))
		w, err := NewWatcher(NewS3(client, loc), loadSpec, Options{Interval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		defer stop()
		out := make(chan *Loaded[*spec.File])
		done := make(chan struct{})
		go func() { w.Run(runCtx, out); close(done) }()
		put(t, invalidYAML)
		put(t, monitorYAML("two"))
		select {
		case l := <-out:
			if monitorNames(l) != "two" {
				t.Fatalf("Run handed on %s", monitorNames(l))
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not hand on the edit")
		}
		stop()
		<-done
	})
}
