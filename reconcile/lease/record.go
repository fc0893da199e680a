package lease

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// maxRecordSize bounds what is read from the lease object: a record is a few hundred bytes, and
// anything far larger is not one.
const maxRecordSize = 64 << 10

// Record is the content of the lease object, as JSON. Only HolderID and the ETag of the object
// decide anything; the times are the holder's clock and are there for people to read, never
// compared with another machine's clock.
type Record struct {
	// Holder is the host name of the holder.
	Holder string `json:"holder"`
	// HolderID is unique to one kmswatch process: it tells a process its own writes apart from
	// those of another process on the same host or task.
	HolderID string `json:"holderID"`
	// TaskARN is the holder's ECS task, when it runs in one.
	TaskARN string `json:"taskArn,omitempty"`
	// Since is when the holder acquired the lease, by its clock.
	Since time.Time `json:"since"`
	// RenewedAt is when the holder wrote this record, by its clock.
	RenewedAt time.Time `json:"renewedAt"`
	// LeaseDuration is how long the holder promises that a standby may wait, after it has last
	// seen the record change, before it takes the lease over.
	LeaseDuration Duration `json:"leaseDuration"`
	// SpecDigest identifies the spec the holder applies.
	SpecDigest string `json:"specDigest,omitempty"`
	// Transitions counts the times the lease changed hands since the object was created.
	Transitions int64 `json:"transitions"`
	// Renewals counts the holder's writes in this term. It makes every write's content, and so
	// its ETag, distinct: S3's ETag of a single-part object is the MD5 of its content, and a
	// renewal that rewrote identical bytes would look, to a standby, like no renewal at all.
	Renewals int64 `json:"renewals"`
	// Released says the holder gave the lease up: a standby may take it at once.
	Released bool `json:"released,omitempty"`
}

// HolderName is how logs and /status name the holder: its host, and its ECS task if any.
func (r *Record) HolderName() string {
	return Identity{Host: r.Holder, TaskARN: r.TaskARN}.Name()
}

// Duration is a time.Duration written as a Go duration string ("30s") in JSON.
type Duration time.Duration

// MarshalJSON writes d as a string such as "30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a string such as "30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

func encodeRecord(r *Record) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		// Record holds only strings, times, integers and a bool: it always marshals.
		panic(fmt.Sprintf("encode lease record: %v", err))
	}
	return b
}

// decodeRecord reads a lease object's content. Unknown fields are accepted, so that a newer
// kmswatch may add some; the fields this one relies on must be there and make sense.
func decodeRecord(data []byte) (*Record, error) {
	if len(data) > maxRecordSize {
		return nil, fmt.Errorf("%d bytes or more, not a lease record", len(data))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty object")
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not a JSON lease record: %w", err)
	}
	switch {
	case r.HolderID == "":
		return nil, errors.New("holderID is missing")
	case r.LeaseDuration <= 0:
		return nil, fmt.Errorf("leaseDuration must be positive, got %s", time.Duration(r.LeaseDuration))
	case r.Transitions < 0:
		return nil, fmt.Errorf("transitions must not be negative, got %d", r.Transitions)
	}
	return &r, nil
}
