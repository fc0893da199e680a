package awsemu

import "time"

// Now is the emulated time. It only moves when Advance is called, so tests and the demo control
// when CloudTrail delivers, metric filters count, alarms evaluate and subscriptions expire.
func (e *Emulator) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// Advance moves the emulated clock forward by d and runs the pipeline for the time that passed,
// in steps of at most one minute so that every per-minute boundary is seen in order: CloudTrail
// delivery, metric-filter datapoints, alarm evaluation, subscription expiry.
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	end := e.now.Add(d)
	for e.now.Before(end) {
		step := end.Sub(e.now)
		if step > time.Minute {
			step = time.Minute
		}
		from := e.now
		e.now = e.now.Add(step)
		for _, tick := range e.ticks {
			tick(from, e.now)
		}
	}
}
