package awsemu

import (
	"sort"
	"strings"
	"time"
)

// CallRecord is one API call as the emulator saw it.
type CallRecord struct {
	Service string
	Op      string
	// Code is the error code returned, "" on success.
	Code string
	Time time.Time
}

type stats struct {
	counts map[string]int
	log    []CallRecord
}

func (s *stats) record(c *call, err *APIError) {
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	s.counts[c.Service+":"+c.Op]++
	rec := CallRecord{Service: c.Service, Op: c.Op, Time: c.Now}
	if err != nil {
		rec.Code = err.queryCode()
	}
	s.log = append(s.log, rec)
}

// Calls returns how many times each operation was called, keyed "service:Operation" (services:
// cloudwatch, logs, cloudtrail, sns, kms, tagging), failed calls included.
func (e *Emulator) Calls() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.stats.counts))
	for k, v := range e.stats.counts {
		out[k] = v
	}
	return out
}

// CallLog returns every call since the last ResetCalls, in order.
func (e *Emulator) CallLog() []CallRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]CallRecord(nil), e.stats.log...)
}

// ResetCalls forgets the counts and the call log.
func (e *Emulator) ResetCalls() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats = stats{}
}

// WriteCalls returns the calls since the last ResetCalls that are not read-only, sorted — the
// figure a converged controller must keep at zero.
func (e *Emulator) WriteCalls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, r := range e.stats.log {
		if !ReadOnly(r.Service, r.Op) {
			out = append(out, r.Service+":"+r.Op)
		}
	}
	sort.Strings(out)
	return out
}

// ReadOnly tells whether an operation only reads, as CloudTrail's readOnly field does. KMS's
// cryptographic operations (Encrypt, Decrypt, GenerateDataKey…) are read-only management events.
func ReadOnly(service, op string) bool {
	for _, p := range []string{"Describe", "Get", "List", "Lookup", "Test", "Filter"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	if service == "kms" {
		switch op {
		case "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
			"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateRandom", "Sign", "Verify":
			return true
		}
	}
	return false
}
