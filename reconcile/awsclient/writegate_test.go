package awsclient

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kmswatch/kmswatch/reconcile/awsemu"
)

// emuInProcess is an emulator and a config for it with no socket, signed with accessKey.
func emuInProcess(accessKey string) (*awsemu.Emulator, aws.Config) {
	e := awsemu.New(awsemu.Options{Region: "ap-southeast-2", AccountID: "111122223333"})
	return e, aws.Config{Region: "ap-southeast-2", BaseEndpoint: aws.String("http://awsemu.invalid"), HTTPClient: awsemu.InProcessClient(e),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: "secret"}, nil
		})}
}

// The write gate is asked before every write attempt, never before a read; a refused write is
// not sent at all, and a write is sent under the context the gate returns, so that a gate that
// bounds it to a lease's renew deadline abandons a hung write in time.
func TestWriteGate(t *testing.T) {
	e, cfg := emuInProcess("AKIDGATE")
	// Over a socket: the in-process transport cannot abandon a request the emulator is serving.
	srv, err := awsemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg.BaseEndpoint, cfg.HTTPClient = aws.String(srv.URL), awsemu.HTTPClient()
	var mu sync.Mutex
	var asked []string
	var refuse error
	bound := time.Hour
	cl := New(cfg, Options{MaxAttempts: 1, RetryMode: aws.RetryModeStandard,
		WriteGate: func(ctx context.Context, service, op string) (context.Context, context.CancelFunc, error) {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, service+":"+op)
			if refuse != nil {
				return ctx, func() {}, refuse
			}
			c, cancel := context.WithTimeout(ctx, bound)
			return c, cancel, nil
		}})
	ctx := context.Background()
	create := func(name string) error {
		_, err := cl.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
		return err
	}
	if err := create("open"); err != nil {
		t.Fatalf("write through an open gate: %v", err)
	}
	if _, err := cl.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatal(err)
	}
	errLost := errors.New("not the lease holder")
	mu.Lock()
	refuse = errLost
	mu.Unlock()
	if err := create("refused"); !errors.Is(err, errLost) {
		t.Fatalf("write through a closed gate: %v, want the gate's error", err)
	}
	if _, err := cl.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatalf("a read through a closed gate: %v", err)
	}

	// A gate that bounds the write: the emulator answers after 300ms, the bound is 50ms.
	mu.Lock()
	refuse, bound = nil, 50*time.Millisecond
	mu.Unlock()
	defer e.Instruments().InjectFault(awsemu.Fault{Service: "logs", Op: "CreateLogGroup", Kind: awsemu.Latency, Latency: 300 * time.Millisecond})()
	start := time.Now()
	err = create("slow")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 250*time.Millisecond {
		t.Errorf("a write past the gate's bound: %v after %v, want it abandoned at the bound", err, time.Since(start))
	}

	mu.Lock()
	defer mu.Unlock()
	if strings.Join(asked, ",") != "logs:CreateLogGroup,logs:CreateLogGroup,logs:CreateLogGroup" {
		t.Errorf("gate asked for %v, want the three writes only", asked)
	}
	// The refused write never reached AWS; the abandoned one did (and AWS may still apply it:
	// the emulator logs it once its latency is over).
	sent := func() int {
		n := 0
		for _, r := range e.Instruments().CallLog() {
			if r.Op == "CreateLogGroup" {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for sent() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := sent(); n != 2 {
		t.Errorf("%d CreateLogGroup calls reached the emulator, want 2 (the refused one must not)", n)
	}
}

// NewS3 addresses buckets path-style at a custom endpoint, reports its calls, and is not
// gated: the lease's own writes must go through whatever the gate says.
func TestS3ClientPathStyleAndUngated(t *testing.T) {
	e, cfg := emuInProcess("AKIDLEASE")
	e.SeedBucket("kmswatch-state")
	var calls []string
	c := NewS3(cfg, Options{
		OnCall: func(service, op, code string, _ time.Duration) { calls = append(calls, service+":"+op+":"+code) },
		WriteGate: func(ctx context.Context, _, _ string) (context.Context, context.CancelFunc, error) {
			return ctx, func() {}, errors.New("gate must not be asked")
		}})
	ctx := context.Background()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kmswatch-state"), Key: aws.String("prod/lease.json"),
		Body: strings.NewReader("{}"), IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kmswatch-state"), Key: aws.String("prod/lease.json")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "{}" {
		t.Errorf("read back %q", b)
	}
	if strings.Join(calls, ",") != "s3:PutObject:,s3:GetObject:" {
		t.Errorf("OnCall saw %v", calls)
	}
}
