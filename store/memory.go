package store

import (
	"bytes"
	"context"
	"hash/maphash"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Memory is the embedded Store: a sharded in-process map, lost when the
// process exits, bounded in size by evicting the least recently used
// entries. It never blocks on anything but its own locks, so it ignores the
// context.
type Memory struct {
	seed   maphash.Seed
	shards [memShards]memShard
	max    int64            // bytes; 0: unbounded
	used   atomic.Int64     // bytes held by all shards
	tick   atomic.Uint64    // a logical clock of uses, for the LRU order
	sets   atomic.Uint64    // writes so far, to pace the sweep
	now    func() time.Time // time.Now; tests move it
}

const (
	memShards = 32
	// sweepEvery is how many writes pass between sweeps of one shard for
	// expired entries: every shard is swept once per 32 sweeps, whichever
	// shards the writes go to.
	sweepEvery = 256
	// entryOverhead is what an entry costs beyond its key and value: the
	// entry struct, the map slot and the slice and string headers.
	entryOverhead = 112
)

// memShard is one lock's worth of the map, with its entries in a list from
// the most recently used (head.next) to the least (head.prev).
type memShard struct {
	mu    sync.Mutex
	m     map[string]*memEntry
	head  memEntry // sentinel of the LRU list
	stats Stats    // Hits, Misses, Evictions and Expired of this shard
}

type memEntry struct {
	key        string
	value      []byte
	expires    int64  // Unix nanoseconds; 0: never
	used       uint64 // Memory.tick at the last use
	prev, next *memEntry
}

// NewMemory returns an empty Memory store that holds at most maxBytes of
// keys, values and bookkeeping (0: no bound).
func NewMemory(maxBytes int64) *Memory {
	s := &Memory{seed: maphash.MakeSeed(), now: time.Now, max: maxBytes}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.m = map[string]*memEntry{}
		sh.head.prev, sh.head.next = &sh.head, &sh.head
	}
	return s
}

func (s *Memory) shard(key string) *memShard {
	return &s.shards[maphash.String(s.seed, key)%memShards]
}

func (e *memEntry) size() int64 { return int64(len(e.key) + len(e.value) + entryOverhead) }

func (e *memEntry) live(now int64) bool { return e.expires == 0 || now < e.expires }

func (s *Memory) nowNano() int64 { return s.now().UnixNano() }

func (s *Memory) expiry(ttl time.Duration, now int64) int64 {
	if ttl <= 0 {
		return 0
	}
	return now + int64(ttl)
}

// find returns the live entry at key, marked as just used, or nil; an
// expired one it finds is reclaimed. sh.mu is held.
func (s *Memory) find(sh *memShard, key string, now int64) *memEntry {
	e := sh.m[key]
	if e == nil {
		return nil
	}
	if !e.live(now) {
		s.remove(sh, e)
		sh.stats.Expired++
		return nil
	}
	s.touch(sh, e)
	return e
}

// touch moves e to the front of its shard's list. sh.mu is held.
func (s *Memory) touch(sh *memShard, e *memEntry) {
	e.used = s.tick.Add(1)
	if sh.head.next == e {
		return
	}
	if e.next != nil {
		e.prev.next, e.next.prev = e.next, e.prev
	}
	e.prev, e.next = &sh.head, sh.head.next
	sh.head.next.prev = e
	sh.head.next = e
}

// remove takes e out of its shard. sh.mu is held.
func (s *Memory) remove(sh *memShard, e *memEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	delete(sh.m, e.key)
	s.used.Add(-e.size())
}

// put stores value at key in sh, replacing what is there. sh.mu is held.
func (s *Memory) put(sh *memShard, key string, value []byte, expires int64) {
	e := sh.m[key]
	if e == nil {
		e = &memEntry{key: key}
		sh.m[key] = e
	} else {
		s.used.Add(-e.size())
	}
	e.value, e.expires = value, expires
	s.used.Add(e.size())
	s.touch(sh, e)
}

// wrote is called after every write, with no lock held: it paces the sweep
// of expired entries and keeps the store under its bound.
func (s *Memory) wrote(now int64) {
	if n := s.sets.Add(1); n%sweepEvery == 0 {
		s.sweep(&s.shards[(n/sweepEvery)%memShards], now)
	}
	for s.max > 0 && s.used.Load() > s.max {
		if !s.evictOldest() {
			return
		}
	}
}

// fits reports whether an entry of this size can be held at all.
func (s *Memory) fits(key string, value []byte) bool {
	return s.max == 0 || int64(len(key)+len(value)+entryOverhead) <= s.max
}

// evictOldest drops the least recently used entry of the whole store: the
// oldest of the shards' least recently used ones. It reports false when
// there was nothing to drop.
func (s *Memory) evictOldest() bool {
	victim, oldest := -1, uint64(math.MaxUint64)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		if t := sh.head.prev; t != &sh.head && t.used < oldest {
			victim, oldest = i, t.used
		}
		sh.mu.Unlock()
	}
	if victim < 0 {
		return false
	}
	sh := &s.shards[victim]
	sh.mu.Lock()
	if t := sh.head.prev; t != &sh.head {
		s.remove(sh, t)
		sh.stats.Evictions++
	}
	sh.mu.Unlock()
	return true
}

// sweep reclaims a shard's expired entries: those nobody reads again would
// otherwise stay until evicted.
func (s *Memory) sweep(sh *memShard, now int64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, e := range sh.m {
		if !e.live(now) {
			s.remove(sh, e)
			sh.stats.Expired++
		}
	}
}

func (s *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := s.find(sh, key, s.nowNano())
	if e == nil {
		sh.stats.Misses++
		return nil, false, nil
	}
	sh.stats.Hits++
	return e.value, true, nil
}

func (s *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if !s.fits(key, value) {
		return ErrTooLarge
	}
	now := s.nowNano()
	sh := s.shard(key)
	sh.mu.Lock()
	s.put(sh, key, value, s.expiry(ttl, now))
	sh.mu.Unlock()
	s.wrote(now)
	return nil
}

func (s *Memory) Add(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if !s.fits(key, value) {
		return false, ErrTooLarge
	}
	now := s.nowNano()
	sh := s.shard(key)
	sh.mu.Lock()
	added := s.find(sh, key, now) == nil
	if added {
		s.put(sh, key, value, s.expiry(ttl, now))
	}
	sh.mu.Unlock()
	if added {
		s.wrote(now)
	}
	return added, nil
}

func (s *Memory) Swap(_ context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	if value != nil && !s.fits(key, value) {
		return false, ErrTooLarge
	}
	now := s.nowNano()
	sh := s.shard(key)
	sh.mu.Lock()
	e := s.find(sh, key, now)
	swapped := (e == nil && old == nil) || (e != nil && old != nil && bytes.Equal(e.value, old))
	switch {
	case !swapped:
	case value == nil:
		if e != nil {
			s.remove(sh, e)
		}
	default:
		s.put(sh, key, value, s.expiry(ttl, now))
	}
	sh.mu.Unlock()
	if swapped && value != nil {
		s.wrote(now)
	}
	return swapped, nil
}

func (s *Memory) Delete(_ context.Context, key string) (bool, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := s.find(sh, key, s.nowNano())
	if e != nil {
		s.remove(sh, e)
	}
	return e != nil, nil
}

func (s *Memory) Incr(_ context.Context, key string, by int64, ttl time.Duration) (int64, error) {
	now := s.nowNano()
	sh := s.shard(key)
	sh.mu.Lock()
	e := s.find(sh, key, now)
	var n int64
	expires := s.expiry(ttl, now)
	if e != nil {
		v, err := strconv.ParseInt(string(e.value), 10, 64)
		if err != nil {
			sh.mu.Unlock()
			return 0, ErrNotInteger
		}
		n, expires = v, e.expires
	}
	if (by > 0 && n > math.MaxInt64-by) || (by < 0 && n < math.MinInt64-by) {
		sh.mu.Unlock()
		return 0, ErrOverflow
	}
	n += by
	s.put(sh, key, strconv.AppendInt(nil, n, 10), expires)
	sh.mu.Unlock()
	s.wrote(now)
	return n, nil
}

func (s *Memory) TTL(_ context.Context, key string) (time.Duration, bool, error) {
	now := s.nowNano()
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := s.find(sh, key, now)
	switch {
	case e == nil:
		return 0, false, nil
	case e.expires == 0:
		return 0, true, nil
	}
	return time.Duration(e.expires - now), true, nil
}

func (s *Memory) Keys(_ context.Context, prefix string) ([]string, error) {
	now := s.nowNano()
	var keys []string
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if strings.HasPrefix(k, prefix) && e.live(now) {
				keys = append(keys, k)
			}
		}
		sh.mu.Unlock()
	}
	sort.Strings(keys)
	return keys, nil
}

func (s *Memory) Stats(context.Context) (Stats, error) {
	st := Stats{Bytes: s.used.Load(), MaxBytes: s.max}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		st.Keys += int64(len(sh.m))
		st.Hits += sh.stats.Hits
		st.Misses += sh.stats.Misses
		st.Evictions += sh.stats.Evictions
		st.Expired += sh.stats.Expired
		sh.mu.Unlock()
	}
	return st, nil
}

// Clear empties the store and its counters ("luaserve test" starts each
// test from an empty store).
func (s *Memory) Clear() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for _, e := range sh.m {
			s.remove(sh, e)
		}
		sh.stats = Stats{}
		sh.mu.Unlock()
	}
}
