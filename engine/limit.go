package engine

import (
	"sync/atomic"
	"time"
)

// limitCtx is the context the VM checks between instructions: its Done
// channel closes when the current request runs past the time limit, or
// when the request's context ends while a module waits on it (see
// requestContext). One per state, so that a request costs no context
// allocation. Arming is an atomic store of a deadline; the engine's
// watchdog, ticking at a tenth of the limit, fires a state past its
// deadline. (A time.Timer per request cost about a tenth of a Lua hello
// request's instructions in timer heap updates and locks.) A state whose
// limit fired is replaced, never reused: Lua stopped at an arbitrary
// instruction, and Done cannot open again.
type limitCtx struct {
	done chan struct{}
	// deadline is in monotonic nanoseconds (see clock); 0 when idle, and
	// claimed once the watchdog decided to fire: disarm and expire swap it,
	// so exactly one of them wins a request that ends at its deadline.
	deadline atomic.Int64
	started  atomic.Int64 // when the request began (see clock); 0 when idle
	fired    atomic.Bool
	cause    error // set once, before done closes
}

const claimed = -1

func newLimit() limitCtx { return limitCtx{done: make(chan struct{})} }

// clockStart anchors clock: time.Since reads the monotonic clock.
var clockStart = time.Now()

func clock() int64 { return int64(time.Since(clockStart)) }

// arm starts the clock for one request.
func (c *limitCtx) arm(d time.Duration) {
	now := clock()
	c.started.Store(now)
	if d > 0 {
		c.deadline.Store(now + int64(d))
	}
}

// disarm stops the clock. It reports false when the limit fired, or is
// about to: the state must then be replaced.
func (c *limitCtx) disarm() bool {
	c.started.Store(0)
	return c.deadline.Swap(0) != claimed && !c.fired.Load()
}

// expire fires the limit if the deadline has passed at now.
func (c *limitCtx) expire(now int64) {
	if dl := c.deadline.Load(); dl > 0 && now > dl && c.deadline.CompareAndSwap(dl, claimed) {
		c.fire(ErrTimeLimit)
	}
}

// fire stops the state's run with cause, once.
func (c *limitCtx) fire(cause error) {
	if c.fired.CompareAndSwap(false, true) {
		c.cause = cause
		close(c.done)
	}
}

// Deadline is the time limit of the request being served.
func (c *limitCtx) Deadline() (time.Time, bool) {
	switch dl := c.deadline.Load(); dl {
	case 0:
		return time.Time{}, false
	case claimed:
		return clockStart, true // passed
	default:
		return clockStart.Add(time.Duration(dl)), true
	}
}

func (c *limitCtx) Done() <-chan struct{} { return c.done }
func (c *limitCtx) Value(any) any         { return nil }

// Err is the cause the limit fired with: ErrTimeLimit, or the request
// context's cause.
func (c *limitCtx) Err() error {
	select {
	case <-c.done:
		return c.cause
	default:
		return nil
	}
}

// watchdog fires the time limit of states that run past it, and stops the
// longest-running request when the heap passes Config.MaxMemory (see
// heapWatch), until the engine closes. It ticks at a tenth of the limit (between 5 ms and 100 ms;
// 100 ms with no request limit, for the load limit), so a limit fires up
// to that much late.
func (e *Engine) watchdog() {
	tick := 100 * time.Millisecond
	if e.timeout > 0 {
		tick = min(max(e.timeout/10, 5*time.Millisecond), tick)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	heap := newHeapWatch()
	for {
		select {
		case <-e.closing:
			return
		case <-t.C:
		}
		now := clock()
		over := e.cfg.MaxMemory > 0 && heap.over(e.cfg.MaxMemory)
		e.liveMu.Lock()
		for st := range e.live {
			st.limit.expire(now)
		}
		if over {
			if n := e.stopRunningLocked(now, max(2*tick, 100*time.Millisecond)); n > 0 {
				heap.stopped()
				e.log.Warn("luaserve: the heap passed -max-memory: stopped the long-running requests", "requests", n,
					"max_memory", e.cfg.MaxMemory)
			}
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
