package password

import (
	"context"
	"runtime"
)

// slots bounds the hashes running at once in the process: one slot per
// CPU, a hash with p lanes taking p of them. It is process-wide on
// purpose: what it shares out, the CPUs and the memory argon2 fills, is
// the process's, and the old and new engines of a reload share it too.
var slots = newLimiter(runtime.GOMAXPROCS(0))

// limiter is a counting semaphore whose acquirers take n slots at a time.
type limiter struct {
	turn  chan struct{} // cap 1: held by the one acquirer gathering slots
	slots chan struct{} // cap = the number of slots; a send takes one
}

func newLimiter(n int) *limiter {
	return &limiter{turn: make(chan struct{}, 1), slots: make(chan struct{}, max(n, 1))}
}

// acquire takes n slots (at most all there are), waiting until they are
// free or ctx ends; then it returns ctx's cause and holds none. Acquirers
// gather their slots one at a time in turn, so two of them never each hold
// part of what the other waits for.
func (l *limiter) acquire(ctx context.Context, n int) error {
	n = min(n, cap(l.slots))
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	select {
	case l.turn <- struct{}{}:
	default:
		select {
		case l.turn <- struct{}{}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	defer func() { <-l.turn }()
	for i := range n {
		select {
		case l.slots <- struct{}{}:
			continue
		default:
		}
		select {
		case l.slots <- struct{}{}:
		case <-ctx.Done():
			l.release(i)
			return context.Cause(ctx)
		}
	}
	return nil
}

// release gives back n slots taken by acquire.
func (l *limiter) release(n int) {
	for range min(n, cap(l.slots)) {
		<-l.slots
	}
}
