package s3object

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestClassifyWire sends real SDK requests to a loopback server that answers as S3 does,
// including the bodiless 304 that S3 returns to a GET whose If-None-Match holds, and checks how
// each answer is classified.
func TestClassifyWire(t *testing.T) {
	answers := map[string]struct {
		status int
		body   string
	}{
		"/b-412/k": {412, `<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>`},
		"/b-409/k": {409, `<Error><Code>ConditionalRequestConflict</Code><Message>A conflicting conditional operation is currently in progress</Message></Error>`},
		"/b-304/k": {304, ``},
		"/b-404/k": {404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`},
		"/b-nob/k": {404, `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>`},
		"/b-403/k": {403, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`},
		"/b-500/k": {500, `<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>`},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			http.Error(w, "unexpected path "+r.URL.Path, http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	defer srv.Close()
	c := s3.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "x"}, nil
		})}, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })

	type class struct{ pre, conflict, notModified, notFound, denied bool }
	cases := []struct {
		bucket string
		want   class
	}{
		{"b-412", class{pre: true}},
		{"b-409", class{conflict: true}},
		{"b-304", class{notModified: true}},
		{"b-404", class{notFound: true}},
		{"b-nob", class{}},
		{"b-403", class{denied: true}},
		{"b-500", class{}},
	}
	for _, c2 := range cases {
		_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(c2.bucket), Key: aws.String("k")})
		if err == nil {
			t.Fatalf("%s: no error", c2.bucket)
		}
		got := class{IsPreconditionFailed(err), IsConflict(err), IsNotModified(err), IsNotFound(err), IsAccessDenied(err)}
		if got != c2.want {
			t.Errorf("%s: classified %+v, want %+v (code %q, err %v)", c2.bucket, got, c2.want, Code(err), err)
		}
	}
}

func TestClassifyNonAWS(t *testing.T) {
	for _, err := range []error{nil, errors.New("dial tcp: connection refused"), fmt.Errorf("wrapped: %w", context.DeadlineExceeded)} {
		if IsPreconditionFailed(err) || IsConflict(err) || IsNotModified(err) || IsNotFound(err) || IsAccessDenied(err) || Code(err) != "" {
			t.Errorf("%v classified as an S3 answer", err)
		}
	}
}
