package store

import (
	"context"
	"hash/maphash"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Memory is the embedded Store: a sharded in-process map, lost when the
// process exits. It never blocks on anything but its own locks, so it
// ignores the context.
type Memory struct {
	seed   maphash.Seed
	shards [32]memShard
	sets   atomic.Uint64    // Set calls so far, to pace the sweep
	now    func() time.Time // time.Now; tests move it
}

type memShard struct {
	mu sync.RWMutex
	m  map[string]memEntry
}

// sweepEvery is how many Set calls pass between sweeps of one shard for
// expired entries: every shard is swept once per 32 sweeps, whichever
// shards the writes go to.
const sweepEvery = 256

type memEntry struct {
	value   []byte
	expires time.Time // zero: never
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory {
	s := &Memory{seed: maphash.MakeSeed(), now: time.Now}
	for i := range s.shards {
		s.shards[i].m = map[string]memEntry{}
	}
	return s
}

func (s *Memory) shard(key string) *memShard {
	return &s.shards[maphash.String(s.seed, key)%uint64(len(s.shards))]
}

func (e memEntry) live(now time.Time) bool { return e.expires.IsZero() || now.Before(e.expires) }

func (s *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	sh := s.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[key]
	sh.mu.RUnlock()
	if !ok || !e.live(s.now()) {
		return nil, false, nil
	}
	return e.value, true, nil
}

func (s *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	e := memEntry{value: value}
	now := s.now()
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	sh := s.shard(key)
	sh.mu.Lock()
	sh.m[key] = e
	sh.mu.Unlock()
	if n := s.sets.Add(1); n%sweepEvery == 0 {
		s.sweep(&s.shards[(n/sweepEvery)%uint64(len(s.shards))], now)
	}
	return nil
}

// sweep drops a shard's expired entries: those nobody reads again would
// otherwise stay forever.
func (s *Memory) sweep(sh *memShard, now time.Time) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for k, e := range sh.m {
		if !e.live(now) {
			delete(sh.m, k)
		}
	}
}

func (s *Memory) Delete(_ context.Context, key string) (bool, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[key]
	delete(sh.m, key)
	return ok && e.live(s.now()), nil
}

func (s *Memory) Incr(_ context.Context, key string, by int64) (int64, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[key]
	var n int64
	if ok && e.live(s.now()) {
		v, err := strconv.ParseInt(string(e.value), 10, 64)
		if err != nil {
			return 0, ErrNotInteger
		}
		n = v
	} else {
		e = memEntry{}
	}
	n += by
	e.value = strconv.AppendInt(nil, n, 10)
	sh.m[key] = e
	return n, nil
}

func (s *Memory) Keys(_ context.Context, prefix string) ([]string, error) {
	now := s.now()
	var keys []string
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for k, e := range sh.m {
			if strings.HasPrefix(k, prefix) && e.live(now) {
				keys = append(keys, k)
			}
		}
		sh.mu.RUnlock()
	}
	sort.Strings(keys)
	return keys, nil
}
