package engine

import (
	"errors"
	"sync/atomic"
	"time"
)

// limitCtx is the context the VM checks between instructions: its Done
// channel closes when the current request runs past the time limit. One per
// state, so that a request costs no context allocation. Arming is an
// atomic store of a deadline; the engine's watchdog, ticking at a tenth of
// the limit, closes Done for a state past its deadline. (A time.Timer per
// request cost about a tenth of a Lua hello request's instructions in timer
// heap updates and locks.) A state whose limit fired is replaced, never
// reused.
type limitCtx struct {
	done     chan struct{}
	deadline atomic.Int64 // monotonic nanoseconds (see clock); 0 when idle
	fired    atomic.Bool
}

var errTimeLimit = errors.New("request time limit exceeded")

// clockStart anchors clock: time.Since reads the monotonic clock.
var clockStart = time.Now()

func clock() int64 { return int64(time.Since(clockStart)) }

// arm starts the clock for one request.
func (c *limitCtx) arm(d time.Duration) {
	if d > 0 {
		c.deadline.Store(clock() + int64(d))
	}
}

// disarm stops the clock. It reports false when the limit fired: the state
// must then be replaced.
func (c *limitCtx) disarm() bool {
	c.deadline.Store(0)
	return !c.fired.Load()
}

// expire fires the limit if the deadline has passed at now.
func (c *limitCtx) expire(now int64) {
	if dl := c.deadline.Load(); dl != 0 && now > dl && c.fired.CompareAndSwap(false, true) {
		close(c.done)
	}
}

func (c *limitCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *limitCtx) Done() <-chan struct{}       { return c.done }
func (c *limitCtx) Value(any) any               { return nil }
func (c *limitCtx) Err() error {
	if c.fired.Load() {
		return errTimeLimit
	}
	return nil
}

// watchdog fires the time limit of states that run past it, until the
// engine closes. It ticks at a tenth of the limit (between 5 ms and 100 ms;
// 100 ms with no request limit, for the load limit), so a limit fires up
// to that much late.
func (e *Engine) watchdog() {
	tick := 100 * time.Millisecond
	if e.timeout > 0 {
		tick = min(max(e.timeout/10, 5*time.Millisecond), tick)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-e.closing:
			return
		case <-t.C:
		}
		now := clock()
		e.liveMu.Lock()
		for st := range e.live {
			st.limit.expire(now)
		}
		e.liveMu.Unlock()
	}
}

// track adds or removes a state from the watchdog's list.
func (e *Engine) track(st *state, add bool) {
	e.liveMu.Lock()
	defer e.liveMu.Unlock()
	if add {
		e.live[st] = struct{}{}
	} else {
		delete(e.live, st)
	}
}
