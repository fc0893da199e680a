package spec

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDurationRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{`"10s"`, 10 * time.Second, `"10s"`},
		{`"60s"`, time.Minute, `"1m"`},
		{`"5m"`, 5 * time.Minute, `"5m"`},
		{`"1h"`, time.Hour, `"1h"`},
		{`"90m"`, 90 * time.Minute, `"1h30m"`},
		{`"1m30s"`, 90 * time.Second, `"1m30s"`},
	} {
		var d Duration
		if err := json.Unmarshal([]byte(tc.in), &d); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if d.Duration != tc.want {
			t.Errorf("%s: got %v, want %v", tc.in, d.Duration, tc.want)
		}
		b, _ := json.Marshal(d)
		if string(b) != tc.out {
			t.Errorf("%s: marshalled %s, want %s", tc.in, b, tc.out)
		}
	}
	for _, bad := range []string{`60`, `"sixty"`, `"10"`, `true`} {
		var d Duration
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}
