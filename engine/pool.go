package engine

import (
	"sync"
	"time"
)

// statePool holds the free Lua states. It is a stack, not a queue: the
// state used last is the one whose memory is still in the CPU caches, and
// a mutex-guarded slice costs a fraction of a channel send and receive.
// A request that finds no free state waits (FIFO) until one is released
// or its wait times out.
type statePool struct {
	mu      sync.Mutex
	free    []*state
	waiters []chan *state // each of capacity 1
	closed  bool
}

func newStatePool(n int) *statePool {
	return &statePool{free: make([]*state, 0, n)}
}

// get takes a free state, waiting at most timeout (forever when timeout is
// not positive); nil when the wait timed out or the pool is closed.
func (p *statePool) get(timeout time.Duration) *state {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		st := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return st
	}
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	w := make(chan *state, 1) // the slow path: every state is busy
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()
	if timeout <= 0 {
		return <-w
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case st := <-w:
		return st
	case <-t.C:
	}
	p.mu.Lock()
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			p.mu.Unlock()
			return nil
		}
	}
	p.mu.Unlock()
	return <-w // put handed us a state as the timer fired: take it
}

// put returns a state: to the longest waiter, or to the stack. It reports
// false when the pool is closed; the caller then closes the state.
func (p *statePool) put(st *state) bool {
	p.mu.Lock()
	if len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		w <- st
		return true
	}
	if p.closed {
		p.mu.Unlock()
		return false
	}
	p.free = append(p.free, st)
	p.mu.Unlock()
	return true
}

// close empties the pool and returns the states it held; later puts fail,
// and waiters get nil.
func (p *statePool) close() []*state {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	free := p.free
	p.free = nil
	for _, w := range p.waiters {
		w <- nil
	}
	p.waiters = nil
	return free
}
