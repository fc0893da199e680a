package awsemu

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The recorder attributes each call to its access key, names it as the emulator does, and keeps
// its status and an S3 write's version id, on the real clock.
func TestRecorder(t *testing.T) {
	e := New(Options{})
	e.SeedBucket("state")
	rec := NewRecorder(e, RecorderOptions{})
	srv := httptest.NewServer(rec)
	defer srv.Close()
	ctx := context.Background()
	c := s3Client(sdkConfig(srv.URL, "AKIDREPLICA2"))
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("state"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("state"), Key: aws.String("prod/lease.json"), Body: strings.NewReader("{}")})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("state"), Key: aws.String("missing")})
	if _, err := cloudwatch.NewFromConfig(sdkConfig(srv.URL, "AKIDOPERATOR")).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}); err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls()
	if len(calls) != 4 {
		t.Fatalf("%d calls recorded: %+v", len(calls), calls)
	}
	p, g, d := calls[1], calls[2], calls[3]
	if p.AccessKey != "AKIDREPLICA2" || p.Service != "s3" || p.Op != "PutObject" || p.Bucket != "state" || p.Key != "prod/lease.json" ||
		!p.OK() || p.VersionID == "" || p.VersionID != aws.ToString(put.VersionId) || p.End.Before(p.Start) {
		t.Errorf("PutObject recorded as %+v", p)
	}
	if g.Op != "GetObject" || g.Status != http.StatusNotFound || g.OK() {
		t.Errorf("GetObject of a missing key recorded as %+v", g)
	}
	if d.AccessKey != "AKIDOPERATOR" || d.Service != "cloudwatch" || d.Op != "DescribeAlarms" || !d.OK() {
		t.Errorf("DescribeAlarms (CBOR) recorded as %+v", d)
	}
}

// SerialiseS3Writes lets one S3 write through at a time, and nothing else waits for it.
func TestRecorderSerialisesS3Writes(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
	})
	srv := httptest.NewServer(NewRecorder(slow, RecorderOptions{SerialiseS3Writes: true}))
	defer srv.Close()
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/state/lease", strings.NewReader("x"))
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Errorf("%d S3 writes were in flight at once, want 1", most)
	}
}
