package awsclient

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// callMiddleware adds, at the end of the finalize step (inside the retry loop, so once per
// attempt), a middleware that asks gate before a write is sent, sends the write under the
// context the gate returns, and reports each attempt's service, operation, error code and
// duration.
func callMiddleware(counter *callCounter, onCall func(service, operation, code string, d time.Duration),
	gate func(ctx context.Context, service, operation string) (context.Context, context.CancelFunc, error)) func(*middleware.Stack) error {
	mw := middleware.FinalizeMiddlewareFunc("kmswatchCalls", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		service := serviceName(awsmiddleware.GetServiceID(ctx))
		op := awsmiddleware.GetOperationName(ctx)
		if gate != nil && !awsop.ReadOnly(service, op) {
			gated, release, err := gate(ctx, service, op)
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			// The response of a write is read within next (writes have no streamed output),
			// so the gated context may end when it returns.
			defer release()
			ctx = gated
		}
		start := time.Now()
		out, md, err := next.HandleFinalize(ctx, in)
		counter.add(service, op)
		if onCall != nil {
			onCall(service, op, errorCode(err), time.Since(start))
		}
		return out, md, err
	})
	return func(s *middleware.Stack) error {
		return s.Finalize.Add(mw, middleware.After)
	}
}

// serviceName maps the SDK's service id to the IAM service prefix, the name an IAM policy and a
// metric label use.
func serviceName(id string) string {
	switch id {
	case "CloudWatch":
		return "cloudwatch"
	case "CloudWatch Logs":
		return "logs"
	case "CloudTrail":
		return "cloudtrail"
	case "SNS":
		return "sns"
	case "Resource Groups Tagging API":
		return "tag"
	case "STS":
		return "sts"
	case "KMS":
		return "kms"
	case "S3":
		return "s3"
	}
	return strings.ToLower(strings.ReplaceAll(id, " ", ""))
}

// errorCode is "" for success, the AWS error code for an API error, else a fixed word (the label
// must not take unbounded values).
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if errors.Is(err, context.Canceled) {
		return "Canceled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "DeadlineExceeded"
	}
	return "RequestError"
}

// callCounter counts calls by "service:Operation"; safe for concurrent use.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounter) add(service, op string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[service+":"+op]++
}

// snapshot copies the counts.
func (c *callCounter) snapshot() map[string]int {
	out := map[string]int{}
	if c == nil {
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// Calls is how many calls each operation, keyed "service:Operation", made through clients built
// by New so far: every attempt, retries included. It is empty for clients built otherwise.
func (c Clients) Calls() map[string]int { return c.calls.snapshot() }

// CallsSince is the count of each call made after before was taken.
func CallsSince(before, now map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range now {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}
