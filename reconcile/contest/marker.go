package contest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
)

// Marker is who applied which spec of a Monitor: the value of the applied-by tag kmswatch writes
// with its changes, "<instance>/<digest>".
type Marker struct {
	Instance string `json:"instance"`
	Digest   string `json:"digest"`
}

// String is the tag value, "<instance>/<digest>".
func (m Marker) String() string { return m.Instance + "/" + m.Digest }

// ParseMarker reads a tag value; ok is false for anything Marker.String cannot have written. The
// digest is the part after the last '/'.
func ParseMarker(s string) (m Marker, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 || i == len(s)-1 {
		return Marker{}, false
	}
	return Marker{Instance: s[:i], Digest: s[i+1:]}, true
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
