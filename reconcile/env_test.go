package reconcile

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

func TestResolveEnvWithExplicitAccount(t *testing.T) {
	env, err := ResolveEnv(context.Background(), aws.Config{Region: "cn-north-1"}, "123456789012")
	if err != nil || env != (Env{Partition: "aws-cn", Region: "cn-north-1", AccountID: "123456789012"}) {
		t.Errorf("env %+v, err %v", env, err)
	}
	if _, err := ResolveEnv(context.Background(), aws.Config{}, "1"); !IsTerminal(err) {
		t.Errorf("no region: %v", err)
	}
}

func TestResolveEnvFromSTS(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::444455556666:user/u</Arn><UserId>U</UserId><Account>444455556666</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	}))
	defer srv.Close()
	env, err := ResolveEnv(context.Background(), testConfig(srv.URL), "")
	if err != nil || env.AccountID != "444455556666" || env.Partition != "aws" {
		t.Errorf("env %+v, err %v", env, err)
	}
}

func testConfig(url string) aws.Config {
	return aws.Config{
		Region:       "ap-southeast-2",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	}
}

// TestQuotaErrorsAreTerminal: a quota holds until the spec asks for less, so retrying cannot fix it.
func TestQuotaErrorsAreTerminal(t *testing.T) {
	for _, code := range []string{"LimitExceededException", "LimitExceeded"} {
		if err := error(&smithy.GenericAPIError{Code: code, Message: "Resource limit exceeded."}); !IsTerminal(err) {
			t.Errorf("%s is not terminal", code)
		}
	}
}
