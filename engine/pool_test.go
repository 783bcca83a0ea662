package engine

import (
	"sync"
	"testing"
	"time"
)

func TestStatePoolLIFO(t *testing.T) {
	p := newStatePool(3)
	a, b := &state{id: 1}, &state{id: 2}
	p.put(a)
	p.put(b)
	if got := p.get(time.Second); got != b {
		t.Fatalf("got state %d, want the last one put (2)", got.id)
	}
	if got := p.get(time.Second); got != a {
		t.Fatalf("got state %d, want 1", got.id)
	}
}

func TestStatePoolWaitTimesOut(t *testing.T) {
	p := newStatePool(1)
	start := time.Now()
	if got := p.get(50 * time.Millisecond); got != nil {
		t.Fatalf("got %v from an empty pool", got)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("returned after %v", d)
	}
	// A state put after the timeout goes to the stack, not to the gone waiter.
	a := &state{id: 1}
	p.put(a)
	if got := p.get(time.Second); got != a {
		t.Fatal("state put after a timed-out wait was lost")
	}
}

// TestStatePoolHandoff: many goroutines share few states; every get gets a
// state that nobody else holds, and none is lost. Run with -race.
func TestStatePoolHandoff(t *testing.T) {
	p := newStatePool(2)
	states := []*state{{id: 1}, {id: 2}}
	for _, st := range states {
		p.put(st)
	}
	var mu sync.Mutex
	held := map[*state]bool{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				st := p.get(5 * time.Second)
				if st == nil {
					t.Error("timed out")
					return
				}
				mu.Lock()
				if held[st] {
					t.Error("a state was handed out twice")
				}
				held[st] = true
				mu.Unlock()
				mu.Lock()
				delete(held, st)
				mu.Unlock()
				p.put(st)
			}
		}()
	}
	wg.Wait()
	if got := len(p.close()); got != 2 {
		t.Fatalf("%d states left in the pool, want 2", got)
	}
}

func TestStatePoolClose(t *testing.T) {
	p := newStatePool(1)
	done := make(chan *state)
	go func() { done <- p.get(0) }()
	for {
		p.mu.Lock()
		n := len(p.waiters)
		p.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	p.close()
	if got := <-done; got != nil {
		t.Fatal("a waiter got a state from a closed pool")
	}
	if p.put(&state{}) {
		t.Fatal("put into a closed pool succeeded")
	}
}
