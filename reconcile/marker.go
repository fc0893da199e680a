package reconcile

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"

	"github.com/kmswatch/kmswatch/spec"
)

// TagAppliedBy is the marker kmswatch writes with its changes: "<instance>/<monitor spec digest>",
// the instance that last wrote the resource and the digest of the Monitor spec it applied. It is
// how one instance tells another kmswatch's write from anyone else's. It is not part of the
// desired state: a resource whose marker is someone else's is not drift, and the marker is never
// written by itself — only with a change, in the create call where the API takes tags.
const TagAppliedBy = "kmswatch.dev/applied-by"

// Marker is the value of TagAppliedBy: who applied which spec of a Monitor.
type Marker struct {
	Instance string `json:"instance"`
	Digest   string `json:"digest"`
}

// String is the tag value, "<instance>/<digest>".
func (m Marker) String() string { return m.Instance + "/" + m.Digest }

// ParseMarker reads a TagAppliedBy value; ok is false for anything Marker.String cannot have
// written. The digest is the part after the last '/'.
func ParseMarker(s string) (m Marker, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 || i == len(s)-1 {
		return Marker{}, false
	}
	return Marker{Instance: s[:i], Digest: s[i+1:]}, true
}

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

// NewInstanceID names this process in the markers it writes: the host name (as far as tag values
// allow, at most 40 characters) and 6 random hex digits, since two processes on one host — or two
// containers with one host name — are two instances.
func NewInstanceID() string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return -1
	}, host)
	if len(host) > 40 {
		host = host[:40]
	}
	if host == "" {
		host = "kmswatch"
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}
