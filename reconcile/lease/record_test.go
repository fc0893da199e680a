package lease

import (
	"strings"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := &Record{Holder: "ip-10-0-1-23", HolderID: "3f2a", TaskARN: "arn:aws:ecs:us-east-1:111122223333:task/prod/0abc",
		Since: since, RenewedAt: since.Add(10 * time.Second), LeaseDuration: Duration(30 * time.Second),
		SpecDigest: "sha256:aaa", Transitions: 4, Renewals: 2}
	b := encodeRecord(r)
	if !strings.Contains(string(b), `"leaseDuration":"30s"`) {
		t.Fatalf("encoded: %s", b)
	}
	got, err := decodeRecord(b)
	if err != nil || *got != *r {
		t.Fatalf("decoded %+v, %v; want %+v", got, err, r)
	}
	if got.HolderName() != "ip-10-0-1-23 (arn:aws:ecs:us-east-1:111122223333:task/prod/0abc)" {
		t.Fatalf("HolderName = %q", got.HolderName())
	}
}

func TestDecodeRecordRejects(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "empty object"},
		{"  \n", "empty object"},
		{"<xml/>", "not a JSON lease record"},
		{`{"holderID":"x","leaseDuration":30}`, `want a duration string such as "30s"`},
		{`{"holderID":"x","leaseDuration":"thirty"}`, "invalid duration"},
		{`{"holder":"h","leaseDuration":"30s"}`, "holderID is missing"},
		{`{"holderID":"x"}`, "leaseDuration must be positive, got 0s"},
		{`{"holderID":"x","leaseDuration":"-5s"}`, "leaseDuration must be positive, got -5s"},
		{`{"holderID":"x","leaseDuration":"30s","transitions":-1}`, "transitions must not be negative"},
		{strings.Repeat(" ", maxRecordSize+1), "not a lease record"},
	}
	for _, c := range cases {
		if _, err := decodeRecord([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("decodeRecord(%.40q) = %v, want %q", c.in, err, c.want)
		}
	}
	// A newer kmswatch may add fields.
	if _, err := decodeRecord([]byte(`{"holderID":"x","leaseDuration":"30s","fencingToken":7}`)); err != nil {
		t.Errorf("unknown field rejected: %v", err)
	}
}
