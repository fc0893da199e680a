package spec

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Duration is a time.Duration read from and written as a string such as "10s", "5m" or "1h".
type Duration struct {
	time.Duration
}

// UnmarshalJSON reads a Go duration string; a bare number is rejected because its unit is ambiguous.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a duration string such as \"60s\" or \"5m\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("must be a duration such as \"60s\" or \"5m\", got %q", s)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration in its shortest Go form ("1m0s" becomes "1m").
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(FormatDuration(d.Duration))
}

// FormatDuration prints a duration without zero trailing units: 60s → "1m", 1h0m0s → "1h".
func FormatDuration(v time.Duration) string {
	s := v.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
