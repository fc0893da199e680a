package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// binPath is the kmswatch binary built once for the process-level tests of this package.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kmswatch-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "kmswatch")
	// As the Dockerfile builds it: static, no cgo.
	build := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build kmswatch: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running kmswatch whose stderr the test reads as it comes.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	stdout bytes.Buffer
	lines  chan string
	done   chan struct{}
}

// cleanEnv is the environment of a kmswatch under test: nothing of the host's AWS setup, static
// fake credentials, no instance metadata lookups.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_ACCESS_KEY_ID=AKIAKMSWATCHTEST", "AWS_SECRET_ACCESS_KEY=test-secret",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	return append(env, extra...)
}

// start runs kmswatch with args; the process is killed when the test ends if still running.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = env
	return startCmd(t, cmd)
}

// startCmd starts a prepared kmswatch command.
func startCmd(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	args := cmd.Args[1:]
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 1000), done: make(chan struct{})}
	p.cmd.Stdout = &lockedWriter{mu: &p.mu, w: &p.stdout}
	errPipe, err := p.cmd.StderrPipe()
	must(t, err)
	must(t, p.cmd.Start())
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(errPipe)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("kmswatch %v stderr:\n%s", args, p.logs())
		}
	})
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *proc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *proc) out() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String()
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(within time.Duration) int {
	p.t.Helper()
	exited := make(chan struct{})
	go func() { <-p.done; _ = p.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		p.t.Fatalf("kmswatch did not exit within %v", within)
		return -1
	}
}

// waitLog waits until a log line matches re and returns the submatches.
func (p *proc) waitLog(within time.Duration, re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	eventually(p.t, within, "log line "+re, func() bool {
		m = rx.FindStringSubmatch(p.logs())
		return m != nil
	})
	return m
}

// listenAddr waits for the operations server's address in the logs.
func (p *proc) listenAddr() string {
	p.t.Helper()
	return "http://" + p.waitLog(10*time.Second, `"msg":"serving /healthz[^"]*","address":"([^"]+)"`)[1]
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// runOnce runs kmswatch to completion and returns its exit code, stdout and stderr.
func runOnce(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	p := start(t, env, args...)
	code := p.wait(60 * time.Second)
	return code, p.out(), p.logs()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	must(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestOnceInvalidSpecExits3(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nmetadata: {name: x}\nspec:\n  logGroup: {name: lg}\n  alarms:\n  - name: a\n    thresold: 1\n")
	code, stdout, stderr := runOnce(t, cleanEnv(), "--once", "-f", bad, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1")
	if code != exitInvalid || !strings.Contains(stderr, "spec.alarms[0].thresold") || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	code, _, stderr = runOnce(t, cleanEnv(), "--once", "-f", filepath.Join(dir, "missing.yaml"))
	if code != exitInvalid || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("missing file: exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = runOnce(t, cleanEnv(), "--once", "-f", bad, "--output", "yaml")
	if code != exitInvalid || !strings.Contains(stderr, "--output") {
		t.Errorf("bad flag: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestOnceUnreachableAWSExits1AndRedacts(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "m.yaml")
	writeFile(t, spec, "apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nmetadata: {name: x}\nspec:\n  logGroup: {name: lg}\n")
	// Port 1 on loopback: connection refused at once. The URL carries secrets that must not be logged.
	code, _, stderr := runOnce(t, cleanEnv("AWS_MAX_ATTEMPTS=1"), "--once", "-f", spec, "--region", "us-east-1",
		"--endpoint-url", "http://AKIASECRETUSER:hunter2@127.0.0.1:1/?X-Amz-Security-Token=SESSIONTOKEN")
	if code != exitFailed {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, secret := range []string{"AKIASECRETUSER", "hunter2", "SESSIONTOKEN"} {
		if strings.Contains(stderr, secret) {
			t.Errorf("stderr holds the secret %q:\n%s", secret, stderr)
		}
	}
}
