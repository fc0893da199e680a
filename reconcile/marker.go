package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/contest"
	"github.com/kmswatch/kmswatch/spec"
)

// TagAppliedBy is the marker kmswatch writes with its changes: "<instance>/<monitor spec digest>",
// the instance that last wrote the resource and the digest of the Monitor spec it applied. It is
// how one instance tells another kmswatch's write from anyone else's (package contest). It is not
// part of the desired state: a resource whose marker is someone else's is not drift, and the
// marker is never written by itself — only with a change, in the create call where the API takes
// tags.
const TagAppliedBy = "kmswatch.dev/applied-by"

// Marker is the value of TagAppliedBy: who applied which spec of a Monitor.
type Marker = contest.Marker

// Default backoff of the writes to a resource another kmswatch writes with another spec.
const (
	DefaultContestBackoff    time.Duration = contest.DefaultBackoff
	DefaultContestBackoffCap time.Duration = contest.DefaultBackoffCap
)

// SpecDigest identifies one Monitor's spec: the first 16 hex digits of the SHA-256 of its
// canonical JSON, as spec.Load leaves it (defaulted), so that writing a default out or leaving it
// implied gives one digest, and editing one Monitor of a file does not change the others'.
func SpecDigest(m spec.Monitor) string {
	data, err := json.Marshal(m)
	if err != nil {
		// A spec.Monitor is plain data; Marshal cannot fail on it. Be total anyway: a digest
		// of the name still tells Monitors apart.
		data = []byte(m.Metadata.Name)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// NewInstanceID names this process in the markers it writes (contest.NewInstanceID).
func NewInstanceID() string { return contest.NewInstanceID() }
