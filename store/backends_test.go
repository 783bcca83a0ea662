package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// backend is a store under test with a clock the test moves.
type backend struct {
	name string
	open func(t *testing.T, now func() time.Time) Store
}

var backends = []backend{
	{"memory", func(t *testing.T, now func() time.Time) Store {
		s := NewMemory(0)
		s.now = now
		return s
	}},
	{"sqlite", func(t *testing.T, now func() time.Time) Store {
		s, err := OpenSQLite(filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.now = now
		return s
	}},
}

// TestBackends holds every backend to the same semantics.
func TestBackends(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			clock := time.Unix(1_700_000_000, 0)
			s := b.open(t, func() time.Time { return clock })
			ctx := context.Background()
			testBasics(t, ctx, s)
			testAtomics(t, ctx, s, func(d time.Duration) { clock = clock.Add(d) })
		})
	}
}

func testBasics(t *testing.T, ctx context.Context, s Store) {
	if _, ok, err := s.Get(ctx, "a"); ok || err != nil {
		t.Fatalf("empty store: ok %v, err %v", ok, err)
	}
	raw := []byte("\xff\xfe\x00\x01abc\x80")
	s.Set(ctx, "a:1", raw, 0)
	s.Set(ctx, "a:2", []byte(`2`), 0)
	s.Set(ctx, "a\xff", []byte(`x`), 0)
	s.Set(ctx, "b", []byte(`true`), 0)
	if v, ok, _ := s.Get(ctx, "a:1"); !ok || string(v) != string(raw) {
		t.Fatalf("get a:1 = %q, %v; want the bytes set", v, ok)
	}
	if keys, _ := s.Keys(ctx, "a:"); !slices.Equal(keys, []string{"a:1", "a:2"}) {
		t.Fatalf("keys a: = %q", keys)
	}
	if keys, _ := s.Keys(ctx, ""); len(keys) != 4 {
		t.Fatalf("all keys = %q", keys)
	}
	if ok, _ := s.Delete(ctx, "a:1"); !ok {
		t.Fatal("delete of a present key reported absent")
	}
	if ok, _ := s.Delete(ctx, "a:1"); ok {
		t.Fatal("second delete reported present")
	}
	if n, err := s.Incr(ctx, "n", 5, 0); n != 5 || err != nil {
		t.Fatalf("incr absent = %d, %v", n, err)
	}
	if n, _ := s.Incr(ctx, "a:2", 1, 0); n != 3 {
		t.Fatalf("incr of a stored 2 = %d", n)
	}
	if _, err := s.Incr(ctx, "b", 1, 0); !errors.Is(err, ErrNotInteger) {
		t.Fatalf("incr of true: %v", err)
	}
	s.Set(ctx, "max", []byte("9223372036854775807"), 0)
	if _, err := s.Incr(ctx, "max", 1, 0); !errors.Is(err, ErrOverflow) {
		t.Fatalf("incr past int64: %v", err)
	}
	if st, err := s.Stats(ctx); err != nil || st.Keys != 5 || st.Hits < 1 || st.Misses < 1 {
		t.Fatalf("stats = %+v, %v", st, err)
	}
}

// Long: one scenario, step by step, each step a check.
func testAtomics(t *testing.T, ctx context.Context, s Store, advance func(time.Duration)) {
	if ok, _ := s.Add(ctx, "k", []byte("a"), 0); !ok {
		t.Fatal("add to an absent key refused")
	}
	if ok, _ := s.Add(ctx, "k", []byte("b"), 0); ok {
		t.Fatal("add to a present key accepted")
	}
	if ok, _ := s.Swap(ctx, "k", []byte("b"), []byte("c"), 0); ok {
		t.Fatal("swap with a wrong old value accepted")
	}
	if ok, _ := s.Swap(ctx, "k", nil, []byte("c"), 0); ok {
		t.Fatal("swap expecting absence accepted on a present key")
	}
	if ok, _ := s.Swap(ctx, "k", []byte("a"), []byte("c"), time.Second); !ok {
		t.Fatal("swap with the right old value refused")
	}
	if left, ok, _ := s.TTL(ctx, "k"); !ok || left != time.Second {
		t.Fatalf("ttl = %v, %v; want 1s", left, ok)
	}
	if ok, _ := s.Swap(ctx, "k", []byte("c"), nil, 0); !ok {
		t.Fatal("swap to nil refused")
	}
	if _, ok, _ := s.Get(ctx, "k"); ok {
		t.Fatal("swap to nil did not delete")
	}
	if ok, _ := s.Swap(ctx, "k", nil, []byte("d"), 0); !ok {
		t.Fatal("swap expecting absence refused on an absent key")
	}
	if left, ok, _ := s.TTL(ctx, "k"); !ok || left != 0 {
		t.Fatalf("ttl of a key without expiry = %v, %v", left, ok)
	}
	if _, ok, _ := s.TTL(ctx, "none"); ok {
		t.Fatal("ttl of an absent key reported present")
	}

	// Expiry: gone for Get, Add, Keys and Incr once the time has come, and
	// Incr's ttl applies to the key it creates, not to an existing one.
	s.Set(ctx, "ttl", []byte(`1`), time.Second)
	s.Incr(ctx, "win", 1, time.Minute)
	advance(999 * time.Millisecond)
	if _, ok, _ := s.Get(ctx, "ttl"); !ok {
		t.Fatal("expired before its time")
	}
	advance(time.Millisecond)
	if _, ok, _ := s.Get(ctx, "ttl"); ok {
		t.Fatal("still there after its ttl")
	}
	if keys, _ := s.Keys(ctx, "ttl"); len(keys) != 0 {
		t.Fatalf("expired key listed: %v", keys)
	}
	if ok, _ := s.Add(ctx, "ttl", []byte("2"), 0); !ok {
		t.Fatal("add over an expired key refused")
	}
	advance(29 * time.Second)
	s.Incr(ctx, "win", 1, time.Minute)
	if left, _, _ := s.TTL(ctx, "win"); left != 30*time.Second {
		t.Fatalf("ttl after a second incr = %v, want the first 30s left", left)
	}
	advance(30 * time.Second)
	if n, _ := s.Incr(ctx, "win", 1, time.Minute); n != 1 {
		t.Fatalf("incr after the window = %d, want a new count", n)
	}
}

// TestBackendsConcurrent: increments and compare-and-swap updates from
// many goroutines are not lost (run with -race).
func TestBackendsConcurrent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			s := b.open(t, time.Now)
			s.Set(ctx, "c", []byte("0"), 0)
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 4 {
				wg.Go(func() {
					for range 100 {
						if _, err := s.Incr(ctx, "hits", 1, 0); err != nil {
							errs <- err
							return
						}
						for {
							v, _, err := s.Get(ctx, "c")
							n := 0
							fmt.Sscan(string(v), &n)
							ok, err2 := s.Swap(ctx, "c", v, []byte(fmt.Sprint(n+1)), 0)
							if err := errors.Join(err, err2); err != nil {
								errs <- err
								return
							}
							if ok {
								break
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if v, _, _ := s.Get(ctx, "c"); string(v) != "400" {
				t.Fatalf("swap counter = %s, want 400", v)
			}
			if v, _, _ := s.Get(ctx, "hits"); string(v) != "400" {
				t.Fatalf("incr counter = %s, want 400", v)
			}
		})
	}
}
