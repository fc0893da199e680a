package awsemu

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kmswatch/kmswatch/reconcile/s3object"
)

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// A seeded bucket is a real bucket, and a bucket created through S3 can hold a trail: one set of
// bucket names serves S3 and CloudTrail's check that the bucket exists.
func TestS3BucketsAreSharedWithCloudTrail(t *testing.T) {
	e := New(Options{})
	e.SeedRole("arn:aws:iam::123456789012:role/CloudTrailToLogs")
	e.SeedBucket("seeded-trail-bucket")
	cfg := emuConfig(e, "AKIDS3")
	ctx := context.Background()
	c := s3Client(cfg)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("seeded-trail-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("put into a seeded bucket: %v", err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("api-trail-bucket")}); err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	for _, b := range []string{"seeded-trail-bucket", "api-trail-bucket"} {
		if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("t-" + b), S3BucketName: aws.String(b)}); err != nil {
			t.Errorf("CreateTrail on %s: %v", b, err)
		}
	}
	_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("t-none"), S3BucketName: aws.String("no-such-bucket")})
	logsWantCode(t, err, "S3BucketDoesNotExistException")
}

// CloudTrail records bucket operations as management events and leaves object reads and writes
// out (data events); the call log has them all, each with its access key, which is how tests
// attribute a process's calls.
func TestS3AuditAndCallLog(t *testing.T) {
	e := New(Options{})
	cfg := emuConfig(e, "AKIDREPLICA1")
	ctx := context.Background()
	c := s3Client(cfg)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("state")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("state"), Key: aws.String("lease"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("state"), Key: aws.String("lease"), Body: strings.NewReader("y"), IfNoneMatch: aws.String("*")})
	if !s3object.IsPreconditionFailed(err) {
		t.Fatalf("second create: %v", err)
	}
	out, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, ev := range out.Events {
		events = append(events, aws.ToString(ev.EventName)+"@"+aws.ToString(ev.EventSource))
	}
	if strings.Join(events, ",") != "CreateBucket@s3.amazonaws.com" {
		t.Errorf("CloudTrail history %v, want only the CreateBucket management event", events)
	}
	var log []string
	for _, r := range e.Instruments().CallLog() {
		log = append(log, fmt.Sprintf("%s:%s:%s:%s", r.AccessKey, r.Service, r.Op, r.Code))
	}
	want := "AKIDREPLICA1:s3:CreateBucket:,AKIDREPLICA1:s3:PutObject:,AKIDREPLICA1:s3:PutObject:PreconditionFailed,AKIDREPLICA1:cloudtrail:LookupEvents:"
	if strings.Join(log, ",") != want {
		t.Errorf("call log\n %v\nwant\n %v", log, want)
	}
	if w := e.Instruments().WriteCalls(); strings.Join(w, ",") != "s3:CreateBucket,s3:PutObject,s3:PutObject" {
		t.Errorf("write calls %v", w)
	}
}

// Injected faults answer in S3's terms, and the SDK retries them.
func TestS3Faults(t *testing.T) {
	e := New(Options{})
	e.SeedBucket("state")
	cfg := emuConfig(e, "AKIDS3")
	cfg.RetryMaxAttempts = 1
	c := s3Client(cfg)
	ctx := context.Background()
	for kind, code := range map[FaultKind]string{Throttle: "SlowDown", ServerError: "InternalError"} {
		remove := e.Instruments().InjectFault(Fault{Service: "s3", Op: "GetObject", Kind: kind})
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("state"), Key: aws.String("k")})
		remove()
		if s3object.Code(err) != code {
			t.Errorf("fault %v: %v, want %s", kind, err, code)
		}
	}
}

// ListObjectVersions pages by key and version markers, newest version first within a key.
func TestS3ListObjectVersionsPages(t *testing.T) {
	e := New(Options{})
	e.SeedBucket("state")
	c := s3Client(emuConfig(e, "AKIDS3"))
	ctx := context.Background()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("state"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, key := range []string{"a", "b"} {
		for i := 0; i < 3; i++ {
			body := fmt.Sprintf("%s%d", key, i)
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("state"), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
				t.Fatal(err)
			}
		}
		for i := 2; i >= 0; i-- {
			want = append(want, fmt.Sprintf("%s%d", key, i))
		}
	}
	var got []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String("state"), MaxKeys: aws.Int32(2)}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("state"), Key: v.Key, VersionId: v.VersionId})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			got = append(got, string(b))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("versions in pages %v, want %v", got, want)
	}
}

// Suspending versioning makes writes the "null" version, each replacing the last.
func TestS3SuspendedVersioning(t *testing.T) {
	e := New(Options{})
	e.SeedBucket("state")
	c := s3Client(emuConfig(e, "AKIDS3"))
	ctx := context.Background()
	b := aws.String("state")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("before")}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []s3types.BucketVersioningStatus{s3types.BucketVersioningStatusEnabled, s3types.BucketVersioningStatusSuspended} {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: st}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader(string(st))}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range out.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	// The pre-versioning object became "null"; the suspended write replaced it.
	if len(ids) != 2 || ids[0] != "null" || ids[1] == "null" {
		t.Errorf("versions %v, want [null <enabled-write>]", ids)
	}
}
