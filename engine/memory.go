package engine

import (
	"fmt"
	"runtime/metrics"
	"sync/atomic"

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

// heapSample reads the live heap, for the watchdog. Allocation-free once
// the sample slice exists.
type heapSample struct{ s []metrics.Sample }

func newHeapSample() *heapSample {
	return &heapSample{s: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

func (h *heapSample) bytes() int64 {
	metrics.Read(h.s)
	if h.s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(h.s[0].Value.Uint64())
}

// stopHeaviest fires, with ErrMemoryLimit, the time limit of the running
// state that has charged the most, or, when none has charged anything
// (memory taken by Lua code itself, as a "..": the allocator gives no
// account of it), the one whose request has run the longest. It reports
// whether it stopped one. e.liveMu is held.
func (e *Engine) stopHeaviestLocked() bool {
	var worst *state
	var worstUsed, earliest int64
	for st := range e.live {
		dl := st.limit.deadline.Load()
		if dl <= 0 || st.limit.fired.Load() {
			continue // idle, loading without a request, or already stopped
		}
		used := st.budget.used.Load()
		switch {
		case worst == nil, used > worstUsed, used == worstUsed && dl < earliest:
			worst, worstUsed, earliest = st, used, dl
		}
	}
	if worst == nil {
		return false
	}
	worst.limit.fire(fmt.Errorf("%w: the server's memory is at its limit", stdlib.ErrMemoryLimit))
	return true
}
