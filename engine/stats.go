package engine

import "sync/atomic"

// Counters are counts an engine keeps for the metrics; the command shares
// one between the engines a reload builds, so that they do not restart
// at zero.
type Counters struct {
	Rebuilds   atomic.Int64 // Lua states closed and built again (time limit, Go panic)
	TimeLimits atomic.Int64 // requests stopped at the time limit
}

// PoolStats is a snapshot of the Lua states.
type PoolStats struct {
	Workers int // states in all
	Busy    int // states not free: serving a request, or being rebuilt
	Waiting int // requests waiting for a free state
}

// PoolStats reports the states' use now.
func (e *Engine) PoolStats() PoolStats {
	p := e.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Workers: e.cfg.Workers, Busy: e.cfg.Workers - len(p.free), Waiting: len(p.waiters)}
}
