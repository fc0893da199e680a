package daemon

import (
	"math/rand/v2"
	"time"
)

// backoff returns the wait before retry number failures (1 for the first failure): base doubled
// for each consecutive failure, capped, with up to 20% taken off at random so that daemons that
// failed together do not retry together.
func backoff(failures int, base, limit time.Duration, rnd func() float64) time.Duration {
	d := base
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d - time.Duration(float64(d)*0.2*rnd())
}

// resyncWait is how long to wait after a successful pass that started at started, so that the
// next one starts one interval after it, less up to 10% of jitter: drift is always noticed
// within one interval. A pass longer than the interval is followed at once.
func resyncWait(now, started time.Time, interval time.Duration, rnd func() float64) time.Duration {
	next := started.Add(interval - time.Duration(float64(interval)*0.1*rnd()))
	return max(next.Sub(now), 0)
}

// defaultRand is the jitter source of a Daemon.
func defaultRand() float64 { return rand.Float64() }
