package specsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/kmswatch/kmswatch/spec"
)

// File is a spec in a local file.
type File struct {
	path string

	mu        sync.Mutex
	candidate string // digest of a new content seen once, waiting to be seen again
}

var _ Source = (*File)(nil)

// NewFile returns the source for the file at path.
func NewFile(path string) *File { return &File{path: path} }

// Location returns the path as given.
func (f *File) Location() string { return f.path }

// Fetch reads the file, following symlinks.
func (f *File) Fetch(context.Context) (*Snapshot, error) {
	resolved, err := filepath.EvalSymlinks(f.path)
	if err != nil {
		return nil, f.readErr(err)
	}
	fh, err := os.Open(resolved)
	if err != nil {
		return nil, f.readErr(err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, spec.MaxFileSize+1))
	if err != nil {
		return nil, f.readErr(err)
	}
	return &Snapshot{Data: data, Version: Version{SHA256: digest(data), Path: resolved}}, nil
}

func (f *File) readErr(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read spec %s: %w: %w", f.path, ErrNotFound, err)
	}
	return fmt.Errorf("read spec %s: %w", f.path, err)
}

// Poll returns the content once it differs from since and has held still for one poll: the same
// new content read twice in a row. A plain write, an atomic rename and a swap of a symlink along
// the path all change what the path leads to, so reading through the path covers all three.
func (f *File) Poll(ctx context.Context, since Version) (*Snapshot, error) {
	snap, err := f.Fetch(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case err != nil:
		f.candidate = ""
		return nil, err
	case snap.Version.SHA256 == since.SHA256:
		f.candidate = ""
		return nil, nil
	case snap.Version.SHA256 != f.candidate:
		f.candidate = snap.Version.SHA256
		return nil, nil
	}
	f.candidate = ""
	return snap, nil
}
