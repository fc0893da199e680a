package main

import (
	"debug/elf"
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
	lab, err := os.ReadFile("../../examples/monitor.yaml")
	must(t, err)
	dir := readOnlyTree(t, map[string]string{"monitor.yaml": string(lab)})
	if f, err := os.CreateTemp(dir, "probe"); err == nil && os.Geteuid() != 0 {
		f.Close()
		t.Fatal("the test directory is writable: it proves nothing")
	}
	// The sandbox: a real pass (the emulator is in-process), so readiness proves the whole pass
	// runs without writing a file.
	cmd := exec.Command(binPath, "-f", filepath.Join(dir, "monitor.yaml"), "--sandbox", "--listen", "127.0.0.1:0", "--interval", "1s")
	cmd.Dir = dir
	cmd.Env = cleanEnv("HOME=/nonexistent", "TMPDIR="+dir)
	asNonRoot(cmd)
	p := startCmd(t, cmd)
	base := p.listenAddr()
	eventually(t, 10*time.Second, "/readyz 200 as a non-root user", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })

	// The ECS task definition's health check, as the container runtime would run it (the same
	// user, no shell), pointed at this daemon's port.
	_, sidecar := loadECSSidecar(t)
	hc := append([]string(nil), sidecar.HealthCheck.Command[2:]...)
	for i := range hc {
		if strings.HasPrefix(hc[i], "http://") {
			hc[i] = base + "/healthz"
		}
	}
	check := exec.Command(binPath, hc...)
	check.Dir, check.Env = dir, cmd.Env
	asNonRoot(check)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("health check %v: %v\n%s", hc, err, out)
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

// TestBinaryIsStatic: built as the Dockerfile builds it (CGO_ENABLED=0), the binary has no ELF
// interpreter and no shared libraries, so it runs on distroless static or scratch.
func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(binPath)
	must(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the binary needs shared libraries: %v", libs)
	}
}
