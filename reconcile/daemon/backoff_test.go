package daemon

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	none := func() float64 { return 0 }
	most := func() float64 { return 1 }
	cases := []struct {
		failures int
		rnd      func() float64
		want     time.Duration
	}{
		{1, none, time.Second},
		{2, none, 2 * time.Second},
		{4, none, 8 * time.Second},
		{30, none, 5 * time.Minute}, // capped, and no overflow
		{1, most, 800 * time.Millisecond},
	}
	for _, c := range cases {
		if got := backoff(c.failures, time.Second, 5*time.Minute, c.rnd); got != c.want {
			t.Errorf("backoff(%d) = %v, want %v", c.failures, got, c.want)
		}
	}
}

func TestResyncWait(t *testing.T) {
	start := time.Unix(1000, 0)
	cases := []struct {
		name string
		now  time.Time
		rnd  float64
		want time.Duration
	}{
		{"quick pass, no jitter", start.Add(2 * time.Second), 0, 58 * time.Second},
		{"full jitter shortens by 10%", start.Add(2 * time.Second), 1, 52 * time.Second},
		{"pass longer than the interval", start.Add(2 * time.Minute), 0, 0},
	}
	for _, c := range cases {
		if got := resyncWait(c.now, start, time.Minute, func() float64 { return c.rnd }); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
