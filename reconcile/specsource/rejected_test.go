package specsource

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// OnRejected hears of each rejected version once, and of a source that disappears once; a
// source that comes back, even with the content in force, clears the rejection.
func TestOnRejected(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "monitor.yaml")
	write(t, path, monitorYAML("one"))
	var heard []Rejected
	w, err := NewWatcher(NewFile(path), loadSpec, Options{OnRejected: func(r Rejected) { heard = append(heard, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}

	write(t, path, invalidYAML)
	settle(t, w)
	w.Poll(ctx)
	if len(heard) != 1 || heard[0].Missing || !strings.Contains(heard[0].Error, "thresold") || heard[0].Version.SHA256 == "" {
		t.Fatalf("after an invalid edit, heard %+v", heard)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		w.Poll(ctx)
	}
	st := w.Status()
	if len(heard) != 2 || !heard[1].Missing || !strings.Contains(heard[1].Error, "does not exist") {
		t.Fatalf("after the file was deleted, heard %+v", heard)
	}
	if st.Rejected == nil || !st.Rejected.Missing || st.ReadError == "" || monitorNames(w.Current()) != "one" {
		t.Fatalf("deleted: status %+v, in force %s", st, monitorNames(w.Current()))
	}

	write(t, path, monitorYAML("one")) // the content in force comes back: nothing to load
	settle(t, w)
	if st := w.Status(); st.Rejected != nil || st.ReadError != "" || len(heard) != 2 {
		t.Fatalf("restored: status %+v, heard %d", st, len(heard))
	}
}
