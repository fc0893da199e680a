package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"time"
)

// fileState is what the spec path held when it was looked at: where its symlinks led, and the
// size, modification time and digest of the content there. A plain write changes the content; an
// atomic rename changes the inode (and usually the content); a ConfigMap-style swap of a
// "..data" symlink changes the resolved path. Comparing the whole state catches all three.
type fileState struct {
	Resolved string
	Size     int64
	ModTime  int64  // nanoseconds since the epoch
	Digest   string // hex SHA-256 of the content
	Err      string // why it could not be read, if it could not
}

// snapshot looks at path now. It never fails: an unreadable file is a state too (Err set), so
// that a deleted spec is noticed as a change and rejected like any invalid edit.
func snapshot(path string) fileState {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fileState{Err: err.Error()}
	}
	data, err := os.ReadFile(resolved)
	if err != nil {
		return fileState{Resolved: resolved, Err: err.Error()}
	}
	st := fileState{Resolved: resolved, Size: int64(len(data))}
	if fi, err := os.Stat(resolved); err == nil {
		st.ModTime = fi.ModTime().UnixNano()
	}
	sum := sha256.Sum256(data)
	st.Digest = hex.EncodeToString(sum[:])
	return st
}

// watchFile polls path every interval and sends on changed (without blocking: one pending
// signal is enough) when its state differs from the last one reported and has held still for
// one poll, so that a writer caught between truncate and write does not trigger a pass on half a
// file. last is the state the caller already knows about. It returns when ctx is done.
func watchFile(ctx context.Context, path string, interval time.Duration, last fileState, changed chan<- struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var candidate *fileState
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st := snapshot(path)
		switch {
		case st == last:
			candidate = nil
		case candidate == nil || st != *candidate:
			candidate = &st
		default: // the same new state twice in a row: settled
			last, candidate = st, nil
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	}
}
