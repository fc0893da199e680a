package wire

import (
	"crypto/rand"
	"encoding/hex"
)

// NewRequestID returns a random id in the UUID layout AWS uses for request and event ids.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
