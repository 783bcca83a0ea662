package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/luaserve/luaserve/httpcore"
)

// TestRequestContextLinking: Done links to the request's context from any
// goroutine while the request runs; end unlinks, and a Done after end (a
// module's goroutine that outlived its call) links nothing. Run with -race.
func TestRequestContextLinking(t *testing.T) {
	lim := newLimit()
	var r *httpcore.Request
	c := &requestContext{limit: &lim, req: &r}
	for round := range 50 {
		r = &httpcore.Request{} // belongs to no connection: a context that never ends
		c.begin()
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { <-doneOrNil(c) })
		}
		wg.Wait()
		c.mu.Lock()
		linked := c.stop != nil
		c.mu.Unlock()
		if !linked {
			t.Fatalf("round %d: Done during the request did not link", round)
		}
		late := make(chan struct{})
		go func() { defer close(late); c.Done() }() // races with end
		c.end()
		<-late
		c.mu.Lock()
		stop := c.stop
		c.mu.Unlock()
		if stop != nil {
			t.Fatalf("round %d: still linked after the request ended", round)
		}
	}
	if lim.Err() != nil {
		t.Fatalf("the limit fired: %v", lim.Err())
	}
}

// doneOrNil calls Done and returns a closed channel, so that the caller
// does not wait on the never-ending context.
func doneOrNil(c context.Context) <-chan struct{} {
	c.Done()
	ch := make(chan struct{})
	close(ch)
	return ch
}
