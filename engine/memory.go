package engine

import (
	"fmt"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// DefaultRequestMemory is Config.RequestMemory's default: what one request
// may allocate through the built-ins that charge it.
const DefaultRequestMemory = 128 << 20

// budget is one state's per-request memory budget (stdlib.Budget): the
// built-ins that build large values charge it before allocating. Module
// goroutines may charge it too, hence the atomic.
type budget struct {
	used  atomic.Int64
	limit int64 // bytes; 0 for none
}

func (b *budget) Charge(n int) error {
	if b.limit <= 0 || n <= 0 {
		return nil
	}
	if b.used.Add(int64(n)) > b.limit {
		return fmt.Errorf("%w: this request asked for more than %d MiB", stdlib.ErrMemoryLimit, b.limit>>20)
	}
	return nil
}

// reset empties the budget for the next request.
func (b *budget) reset() {
	if b.used.Load() != 0 {
		b.used.Store(0)
	}
}

// heapWatch tells the watchdog when the heap is past the memory limit:
// when it holds more than the limit, garbage included. Go's soft limit
// (the command sets it to the same value) keeps garbage below it by
// collecting sooner, so past it is growth the collector could not undo.
// After it has stopped requests it waits for the next collection, so that
// the memory they held is counted out before others are stopped.
// Allocation-free once made.
type heapWatch struct {
	s         []metrics.Sample
	waitCycle uint64 // no stop until the collections pass this count
}

func newHeapWatch() *heapWatch {
	return &heapWatch{s: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}}
}

// over reports whether the heap is past limit and a request should stop.
func (h *heapWatch) over(limit int64) bool {
	metrics.Read(h.s)
	live, objects, cycles := h.s[0].Value.Uint64(), h.s[1].Value.Uint64(), h.s[2].Value.Uint64()
	if cycles < h.waitCycle {
		return false
	}
	return int64(live) > limit || int64(objects) > limit
}

// stopped notes a stop: the next waits for a collection after it.
func (h *heapWatch) stopped() { h.waitCycle = h.s[2].Value.Uint64() + 1 }

// stopRunningLocked fires, with ErrMemoryLimit, the time limit of every
// request that has run for minAge or more, and returns how many it
// stopped. Memory that Lua code takes itself (a "..", a table filled in a
// loop) is on no budget, and the allocator gives no account of it per
// request; the requests an ordinary server runs are shorter, so the ones
// still running are where it went. A request younger than minAge is left
// alone: if it is the one, the next tick finds it old enough.
// e.liveMu is held.
func (e *Engine) stopRunningLocked(now int64, minAge time.Duration) int {
	n := 0
	for st := range e.live {
		start := st.limit.started.Load()
		if start == 0 || st.limit.fired.Load() || now-start < int64(minAge) {
			continue // idle, already stopped, or too young to blame
		}
		st.limit.fire(errMemoryStop)
		n++
	}
	return n
}

var errMemoryStop = fmt.Errorf("%w: the server's memory is at its limit", stdlib.ErrMemoryLimit)
