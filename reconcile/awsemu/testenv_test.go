package awsemu

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// serveForTest serves e on loopback until the test ends and returns its URL, for the tests that
// need a socket: the conformance table (moto is a process) and the lab pipeline.
func serveForTest(tb testing.TB, e *Emulator) string {
	tb.Helper()
	srv, err := Start(e)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv.URL
}

// sdkConfig is an SDK config for the emulator or moto at url (us-east-1, one attempt), signed
// with accessKey — the emulator maps access keys to principals. Both are loopback servers, so it
// uses HTTPClient (a smithy-go request-body race; see httpclient.go).
func sdkConfig(url, accessKey string) aws.Config {
	return aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1, HTTPClient: HTTPClient(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: "secret"}, nil
		}),
	}
}

// emuConfig is sdkConfig for e in process: no port, nothing to close.
func emuConfig(e *Emulator, accessKey string) aws.Config {
	cfg := sdkConfig("http://awsemu.invalid", accessKey)
	cfg.HTTPClient = InProcessClient(e)
	return cfg
}
