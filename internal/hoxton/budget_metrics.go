package hoxton

import "time"

// recordWait adds the time since start to the budget's total wait: how long callers
// were held back by the rate limit and by 429 pauses, exported per Connection.
func (b *Budget) recordWait(start time.Time) {
	b.waited.Add(int64(time.Since(start)))
}

// WaitedSeconds returns how long callers have waited on this budget in total.
func (b *Budget) WaitedSeconds() float64 {
	if b == nil {
		return 0
	}
	return time.Duration(b.waited.Load()).Seconds()
}
