package pattern

import "testing"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(labPattern); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchEvent matches the lab pattern against one KMS CloudTrail
// event built once, which is how a caller testing many patterns against an
// event uses the API: the JSON is decoded on the first match only.
func BenchmarkMatchEvent(b *testing.B) {
	p, err := Parse(labPattern)
	if err != nil {
		b.Fatal(err)
	}
	e := NewEvent(mustRead("kms_decrypt_incorrect_key"))
	if !p.MatchEvent(e) {
		b.Fatal("lab pattern does not match its event")
	}
	b.ReportAllocs()
	for b.Loop() {
		p.MatchEvent(e)
	}
}

// BenchmarkMatch includes decoding the event's JSON on every call.
func BenchmarkMatch(b *testing.B) {
	p, err := Parse(labPattern)
	if err != nil {
		b.Fatal(err)
	}
	msg := mustRead("kms_decrypt_incorrect_key")
	b.ReportAllocs()
	for b.Loop() {
		p.Match(msg)
	}
}
