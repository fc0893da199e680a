package awsclient

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// NewS3 returns the S3 client of kmswatch's lease and S3 spec source, built from cfg: it
// reports every attempt to o.OnCall (so /metrics counts the lease's calls with the others) and
// retries with the SDK's standard retryer (o.MaxAttempts, o.MaxBackoff), never the adaptive one,
// whose client-side rate limiting could sleep past a lease's renew deadline.
//
// o.WriteGate is deliberately not applied: the lease's own writes are how a process becomes and
// stays leader, and a standby's reads of its spec are no writes at all.
//
// With a custom endpoint (--endpoint-url, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3: moto,
// LocalStack, the emulator), buckets are addressed path-style (http://host/BUCKET/KEY): a bucket
// cannot be a subdomain of 127.0.0.1 or of a name the local DNS does not know.
func NewS3(cfg aws.Config, o Options) *s3.Client {
	cfg = cfg.Copy()
	if o.MaxAttempts > 0 {
		cfg.RetryMaxAttempts = o.MaxAttempts
	}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(so *retry.StandardOptions) {
			if o.MaxAttempts > 0 {
				so.MaxAttempts = o.MaxAttempts
			}
			if o.MaxBackoff > 0 {
				so.MaxBackoff = o.MaxBackoff
			}
		})
	}
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), callMiddleware(nil, o.OnCall, nil))
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		// The service-specific endpoint has been resolved into so.BaseEndpoint by now.
		if so.BaseEndpoint != nil {
			so.UsePathStyle = true
		}
	})
}
