package specsource

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kmswatch/kmswatch/spec"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// settle polls twice: a file's change is reported once it has held still for one poll.
func settle(t *testing.T, w *Watcher[*spec.File]) *Loaded[*spec.File] {
	t.Helper()
	if l := w.Poll(context.Background()); l != nil {
		t.Fatalf("a change was reported before it held still: %s", monitorNames(l))
	}
	return w.Poll(context.Background())
}

func TestFileWatcher(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "monitor.yaml")
	write(t, path, monitorYAML("one"))
	log := &lines{}
	w := newWatcher(t, NewFile(path), log)
	l, err := w.Start(ctx)
	if err != nil || monitorNames(l) != "one" {
		t.Fatalf("Start: %v", err)
	}

	if l := w.Poll(ctx); l != nil {
		t.Fatalf("unchanged file reported as changed")
	}
	write(t, path, monitorYAML("two"))
	if l := settle(t, w); l == nil || monitorNames(l) != "two" || l.Version.Path != path {
		t.Fatalf("edit: %+v", l)
	}

	write(t, path, invalidYAML)
	if l := settle(t, w); l != nil {
		t.Fatalf("an invalid edit was handed on")
	}
	st := w.Status()
	if st.Rejected == nil || !strings.Contains(st.Rejected.Error, "thresold: unknown field") || monitorNames(w.Current()) != "two" {
		t.Fatalf("invalid edit: status %+v, in force %s", st, monitorNames(w.Current()))
	}
	if ls := log.take(); !hasLine(ls, "spec edit rejected: the previous spec stays in force") {
		t.Fatalf("log: %v", ls)
	}
	for i := 0; i < 3; i++ {
		w.Poll(ctx)
	}
	if ls := log.take(); len(ls) != 0 {
		t.Fatalf("the rejected edit was logged again: %v", ls)
	}

	write(t, path, "")
	if l := settle(t, w); l != nil || w.Status().Rejected == nil || !strings.Contains(w.Status().Rejected.Error, "no Monitor document") {
		t.Fatalf("an emptied file: %+v, status %+v", l, w.Status())
	}

	write(t, path, monitorYAML("two")) // back to the spec in force: nothing to load
	if l := settle(t, w); l != nil || w.Status().Rejected != nil {
		t.Fatalf("revert: %+v, status %+v", l, w.Status())
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	w.Poll(ctx)
	if st := w.Status(); !strings.Contains(st.ReadError, "does not exist") || monitorNames(w.Current()) != "two" {
		t.Fatalf("deleted: %+v", st)
	}
	write(t, path, monitorYAML("three"))
	if l := settle(t, w); l == nil || monitorNames(l) != "three" || w.Status().ReadError != "" {
		t.Fatalf("recreated: %+v, status %+v", l, w.Status())
	}
}

// A ConfigMap volume: monitor.yaml → ..data/monitor.yaml, ..data → a timestamped directory,
// swapped by replacing the ..data symlink.
func TestFileSymlinkSwap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, content := range map[string]string{"v1": monitorYAML("one"), "v2": monitorYAML("two")} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, name, "monitor.yaml"), content)
	}
	if err := os.Symlink("v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "monitor.yaml")
	if err := os.Symlink("..data/monitor.yaml", path); err != nil {
		t.Fatal(err)
	}
	w := newWatcher(t, NewFile(path), &lines{})
	if _, err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "..data_tmp")
	if err := os.Symlink("v2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	l := settle(t, w)
	if l == nil || monitorNames(l) != "two" || l.Version.Path != filepath.Join(dir, "v2", "monitor.yaml") {
		t.Fatalf("after the swap: %+v", l)
	}
}

func TestStartFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, err := newWatcher(t, NewFile(filepath.Join(dir, "missing.yaml")), &lines{}).Start(ctx)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	path := filepath.Join(dir, "bad.yaml")
	write(t, path, invalidYAML)
	_, err = newWatcher(t, NewFile(path), &lines{}).Start(ctx)
	var list spec.ErrorList
	if !errors.As(err, &list) || !strings.Contains(err.Error(), "thresold") {
		t.Fatalf("invalid file: %v", err)
	}
	if _, err := NewWatcher(NewFile(path), loadSpec, Options{Interval: -1}); err == nil || !strings.Contains(err.Error(), "poll interval must be positive") {
		t.Fatalf("negative interval: %v", err)
	}
}

func TestFileRun(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "monitor.yaml")
	write(t, path, monitorYAML("one"))
	w, err := NewWatcher(NewFile(path), loadSpec, Options{Interval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	out := make(chan *Loaded[*spec.File])
	done := make(chan struct{})
	go func() { w.Run(ctx, out); close(done) }()
	write(t, path, invalidYAML)
	time.Sleep(50 * time.Millisecond)
	write(t, path, monitorYAML("two"))
	select {
	case l := <-out:
		if monitorNames(l) != "two" {
			t.Fatalf("Run handed on %s", monitorNames(l))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not hand on the edit")
	}
	stop()
	<-done
}
