package lease

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/mototest"
)

// serialised puts a proxy in front of moto that lets one PUT through at a time. moto 5.2.1's
// PutObject checks If-Match / If-None-Match and then stores the object in two steps with no
// lock between them (moto/s3/responses.py, put_object), on a threaded server, so two writes
// racing on one ETag could both pass the check; real S3 decides a conditional write atomically
// ("If multiple conditional writes occur for the same object name, the first write operation to
// finish succeeds": https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
// The proxy gives moto that atomicity, so that the race test checks the elector, not moto's
// thread scheduling. Conditions are still evaluated by moto.
func serialised(t *testing.T, endpoint string) string {
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // requests cancelled by the test are not news
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			mu.Lock()
			defer mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestMoto runs the lease against moto_server's S3: the step-by-step cases, the real-clock
// election with a race of four electors, a partitioned leader, and the one-shot Hold.
func TestMoto(t *testing.T) {
	srv := mototest.Start(t)
	direct := mototest.S3Client(srv.URL)
	fresh := func(t *testing.T) {
		srv.Reset(t)
		if _, err := direct.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(testLease.Bucket)}); err != nil {
			t.Fatalf("create bucket: %v", err)
		}
	}
	t.Run("steps", func(t *testing.T) {
		for _, c := range electionCases {
			t.Run(c.name, func(t *testing.T) {
				fresh(t)
				c.run(t, newHarnessOn(t, direct))
			})
		}
	})
	// Durations are wide: two cores are shared with other test runs, and a moto call that
	// usually takes 10ms can take far longer there (the call timeout is d/6).
	const d = 5 * time.Second
	t.Run("election race", func(t *testing.T) {
		fresh(t)
		testElection(t, mototest.S3Client(serialised(t, srv.URL)), 4, d)
	})
	t.Run("partitioned leader", func(t *testing.T) {
		fresh(t)
		testPartition(t, mototest.S3Client(serialised(t, srv.URL)), d)
	})
	t.Run("hold", func(t *testing.T) {
		fresh(t)
		testHold(t, mototest.S3Client(serialised(t, srv.URL)), d)
	})
}
