package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nobody is the uid and gid the rootless test runs kmswatch as when the tests run as root.
const nobody = 65534

// asNonRoot makes cmd run as nobody when the test runs as root (as the container's USER would),
// and as the current non-root user otherwise.
func asNonRoot(cmd *exec.Cmd) {
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
}

// readOnlyTree makes a directory that a non-root user can read and enter but not write, holding
// the given files, as a container's read-only root file system would.
func readOnlyTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ro")
	must(t, os.Mkdir(dir, 0o755))
	for name, content := range files {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o444))
	}
	must(t, os.Chmod(dir, 0o555))
	// Every parent must be searchable by the other user.
	for p := filepath.Dir(dir); p != "/" && p != "."; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o001 == 0 {
			must(t, os.Chmod(p, fi.Mode().Perm()|0o011))
		}
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	return dir
}

// TestRunsAsNonRootWithoutAWritableFileSystem runs the daemon as a non-root user, from and on a
// directory it cannot write, with HOME and TMPDIR pointing nowhere writable: what the Dockerfile's
// distroless nonroot image and ECS's readonlyRootFilesystem give it. It must serve its probes and
// stop cleanly; it writes nothing but its logs to stderr.
func TestRunsAsNonRootWithoutAWritableFileSystem(t *testing.T) {
	// The binary's directory too must be reachable by nobody.
	binDir := filepath.Dir(binPath)
	must(t, os.Chmod(binDir, 0o755))
	dir := readOnlyTree(t, map[string]string{"monitor.yaml": "apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nmetadata: {name: x}\nspec:\n  logGroup: {name: lg}\n"})
	if f, err := os.CreateTemp(dir, "probe"); err == nil && os.Geteuid() != 0 {
		f.Close()
		t.Fatal("the test directory is writable: it proves nothing")
	}
	cmd := exec.Command(binPath, "-f", filepath.Join(dir, "monitor.yaml"), "--region", "us-east-1",
		"--endpoint-url", "http://127.0.0.1:1", "--listen", "127.0.0.1:0", "--interval", "1s")
	cmd.Dir = dir
	cmd.Env = cleanEnv("HOME=/nonexistent", "TMPDIR="+dir, "AWS_MAX_ATTEMPTS=1")
	asNonRoot(cmd)
	p := startCmd(t, cmd)
	base := p.listenAddr()
	if code, _ := httpGet(t, base+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d as a non-root user", code)
	}
	// The process really runs as the other user.
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	must(t, err)
	if os.Geteuid() == 0 && !strings.Contains(string(status), "\nUid:\t65534\t") {
		t.Fatalf("kmswatch does not run as nobody:\n%s", status)
	}
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	if code := p.wait(10 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	if strings.Contains(p.logs(), "read-only file system") || strings.Contains(p.logs(), "permission denied") {
		t.Errorf("kmswatch tried to write:\n%s", p.logs())
	}
}
