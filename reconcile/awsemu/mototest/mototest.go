package mototest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// RequireEnv is the environment variable that turns a missing moto_server into a failure.
const RequireEnv = "KMSWATCH_REQUIRE_MOTO"

// startTimeout bounds how long moto_server may take to answer its first request (it answers in
// about a second here; a loaded CI machine gets more).
const startTimeout = 30 * time.Second

// Server is a running moto_server. Point SDK clients at URL with any static credentials; moto
// routes by the SigV4 credential scope and maps unknown access keys to account 123456789012.
type Server struct {
	URL string

	cmd    *exec.Cmd
	output *lockedBuffer
	exited chan struct{}
}

// Start launches moto_server on a free 127.0.0.1 port and returns once it answers
// POST /moto-api/reset. The server is killed in tb.Cleanup.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		msg := "moto_server is not on PATH (it comes with `pip install 'moto[server]'`); the moto backend is not tested"
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("%s, and %s=1 requires it", msg, RequireEnv)
		}
		tb.Skipf("%s; set %s=1 to make this a failure", msg, RequireEnv)
	}
	var lastErr error
	// A port picked free can be taken before moto binds it; try a few.
	for attempt := 0; attempt < 3; attempt++ {
		s, err := launch(bin)
		if err == nil {
			tb.Cleanup(s.stop)
			return s
		}
		lastErr = err
	}
	tb.Fatalf("start moto_server: %v", lastErr)
	return nil
}

func launch(bin string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	out := &lockedBuffer{}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: the pyenv shim and python are killed together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, output: out, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(startTimeout)
	for {
		if err := s.reset(); err == nil {
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("moto_server exited before answering: %s", tail(out.String()))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("moto_server did not answer within %s: %s", startTimeout, tail(out.String()))
		}
	}
}

func (s *Server) stop() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.exited
}

// Reset empties every moto backend (POST /moto-api/reset).
func (s *Server) Reset(tb testing.TB) {
	tb.Helper()
	if err := s.reset(); err != nil {
		tb.Fatalf("reset moto: %v", err)
	}
}

func (s *Server) reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /moto-api/reset: %s", resp.Status)
	}
	return nil
}

// CreateBucket creates an S3 bucket in moto (an unsigned PUT /<bucket>, which moto routes to
// S3 in us-east-1), as a trail's bucket must exist.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPut, s.URL+"/"+name, nil)
	if err != nil {
		tb.Fatalf("create bucket %s: %v", name, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("create bucket %s: %v", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("create bucket %s: %s", name, resp.Status)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: not a TCP address")
	}
	return addr.Port, nil
}

// lockedBuffer collects moto's output for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		return len(p), nil // keep memory bounded; the start is what explains a failure
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// S3Client is an S3 client for moto_server at endpoint (the server's URL, or a proxy in front of
// it): path-style addressing, since a bucket cannot be a subdomain of 127.0.0.1, and one attempt,
// so that a test sees every answer.
func S3Client(endpoint string) *s3.Client {
	cfg := aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDMOTO", SecretAccessKey: "x"}, nil
		})}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}
