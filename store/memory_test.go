package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestMemory(t *testing.T) {
	ctx := context.Background()
	s := NewMemory()
	clock := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return clock }

	if _, ok, err := s.Get(ctx, "a"); ok || err != nil {
		t.Fatalf("empty store: ok %v, err %v", ok, err)
	}
	s.Set(ctx, "a:1", []byte(`"one"`), 0)
	s.Set(ctx, "a:2", []byte(`2`), 0)
	s.Set(ctx, "b", []byte(`true`), 0)
	if v, ok, _ := s.Get(ctx, "a:1"); !ok || string(v) != `"one"` {
		t.Fatalf("get a:1 = %q, %v", v, ok)
	}
	if keys, _ := s.Keys(ctx, "a:"); !slices.Equal(keys, []string{"a:1", "a:2"}) {
		t.Fatalf("keys a: = %v", keys)
	}
	if keys, _ := s.Keys(ctx, ""); len(keys) != 3 {
		t.Fatalf("all keys = %v", keys)
	}
	if ok, _ := s.Delete(ctx, "a:1"); !ok {
		t.Fatal("delete of a present key reported absent")
	}
	if ok, _ := s.Delete(ctx, "a:1"); ok {
		t.Fatal("second delete reported present")
	}

	// Incr: from absent, on an integer, and refused on anything else.
	if n, err := s.Incr(ctx, "n", 5); n != 5 || err != nil {
		t.Fatalf("incr absent = %d, %v", n, err)
	}
	if n, _ := s.Incr(ctx, "n", -7); n != -2 {
		t.Fatalf("incr -7 = %d", n)
	}
	if n, _ := s.Incr(ctx, "a:2", 1); n != 3 {
		t.Fatalf("incr of a stored 2 = %d", n)
	}
	if _, err := s.Incr(ctx, "b", 1); !errors.Is(err, ErrNotInteger) {
		t.Fatalf("incr of true: %v", err)
	}

	// Expiry: gone for Get, Delete, Keys and Incr once the time has come.
	s.Set(ctx, "ttl", []byte(`1`), time.Second)
	clock = clock.Add(999 * time.Millisecond)
	if _, ok, _ := s.Get(ctx, "ttl"); !ok {
		t.Fatal("expired before its time")
	}
	clock = clock.Add(time.Millisecond)
	if _, ok, _ := s.Get(ctx, "ttl"); ok {
		t.Fatal("still there after its ttl")
	}
	if keys, _ := s.Keys(ctx, "ttl"); len(keys) != 0 {
		t.Fatalf("expired key listed: %v", keys)
	}
	if n, _ := s.Incr(ctx, "ttl", 1); n != 1 {
		t.Fatalf("incr of an expired key = %d, want 1", n)
	}
}

// TestMemoryForgetsExpired: entries nobody reads again do not stay forever.
func TestMemoryForgetsExpired(t *testing.T) {
	ctx := context.Background()
	s := NewMemory()
	clock := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return clock }
	for i := range 10_000 {
		s.Set(ctx, fmt.Sprint("old", i), []byte("1"), time.Second)
	}
	clock = clock.Add(time.Minute)
	for i := range 40_000 {
		s.Set(ctx, fmt.Sprint("new", i%10), []byte("1"), 0)
	}
	left := 0
	for i := range s.shards {
		left += len(s.shards[i].m)
	}
	if left > 10 {
		t.Fatalf("%d entries held, want the 10 live ones", left)
	}
}

// TestMemoryConcurrentIncr: increments from many goroutines are not lost
// (run with -race).
func TestMemoryConcurrentIncr(t *testing.T) {
	ctx := context.Background()
	s := NewMemory()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				s.Incr(ctx, "hits", 1)
			}
		})
	}
	wg.Wait()
	if n, _ := s.Incr(ctx, "hits", 0); n != 4000 {
		t.Fatalf("hits = %d, want 4000", n)
	}
}
