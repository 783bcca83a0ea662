package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestMemoryForgetsExpired: entries nobody reads again do not stay forever.
func TestMemoryForgetsExpired(t *testing.T) {
	ctx := context.Background()
	s := NewMemory(0)
	clock := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return clock }
	for i := range 10_000 {
		s.Set(ctx, fmt.Sprint("old", i), []byte("1"), time.Second)
	}
	clock = clock.Add(time.Minute)
	for i := range 40_000 {
		s.Set(ctx, fmt.Sprint("new", i%10), []byte("1"), 0)
	}
	st, _ := s.Stats(ctx)
	if left := st.Keys; left > 10 {
		t.Fatalf("%d entries held, want the 10 live ones", left)
	}
}

// TestMemoryBound: past its bound the store drops the least recently used
// entries, counts them, and refuses an entry larger than the whole bound.
func TestMemoryBound(t *testing.T) {
	ctx := context.Background()
	const max = 100 * (entryOverhead + 10)
	s := NewMemory(max)
	value := []byte("0123456")
	for i := range 100 {
		s.Set(ctx, fmt.Sprintf("k%02d", i), value, 0)
	}
	s.Get(ctx, "k00") // k00 is now the most recently used
	for i := range 10 {
		s.Set(ctx, fmt.Sprintf("n%02d", i), value, 0)
	}
	st, _ := s.Stats(ctx)
	if st.Bytes > max || st.Evictions != 10 || st.Keys != 100 {
		t.Fatalf("stats %+v: want at most %d bytes, 10 evictions, 100 keys", st, max)
	}
	if _, ok, _ := s.Get(ctx, "k00"); !ok {
		t.Fatal("the recently read k00 was evicted")
	}
	for i := 1; i <= 10; i++ {
		if _, ok, _ := s.Get(ctx, fmt.Sprintf("k%02d", i)); ok {
			t.Fatalf("k%02d, among the least recently used, survived", i)
		}
	}
	if err := s.Set(ctx, "huge", make([]byte, max), 0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("set larger than the bound: %v", err)
	}
	st, _ = s.Stats(ctx)
	if st.Hits != 2 || st.Misses != 10 {
		t.Fatalf("hits %d misses %d, want 2 and 10", st.Hits, st.Misses)
	}
}
