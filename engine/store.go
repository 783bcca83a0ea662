package engine

import (
	"errors"
	"hash/maphash"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Store is the data every Lua state shares: module-level Lua variables live
// in one state each, so anything requests must see consistently goes here.
// Values are JSON texts, which keeps the interface small enough for a
// networked backend (Redis, PostgreSQL) to implement later. Implementations
// must be safe for concurrent use.
type Store interface {
	// Get returns the value stored at key; ok is false when there is none.
	Get(key string) (value []byte, ok bool, err error)
	// Set stores value at key; ttl > 0 makes it expire.
	Set(key string, value []byte, ttl time.Duration) error
	// Delete removes key and reports whether it was there.
	Delete(key string) (bool, error)
	// Incr adds by to the integer at key (0 when absent), atomically.
	Incr(key string, by int64) (int64, error)
	// Keys lists the keys that start with prefix, sorted.
	Keys(prefix string) ([]string, error)
}

// ErrNotInteger is returned by Incr on a value that is not an integer.
var ErrNotInteger = errors.New("store: value is not an integer")

// MemoryStore is the embedded Store: a sharded in-process map, lost when
// the process exits.
type MemoryStore struct {
	seed   maphash.Seed
	shards [32]memShard
}

type memShard struct {
	mu   sync.RWMutex
	m    map[string]memEntry
	sets int
}

type memEntry struct {
	value   []byte
	expires time.Time // zero: never
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	s := &MemoryStore{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = map[string]memEntry{}
	}
	return s
}

func (s *MemoryStore) shard(key string) *memShard {
	return &s.shards[maphash.String(s.seed, key)%uint64(len(s.shards))]
}

func (e memEntry) live(now time.Time) bool { return e.expires.IsZero() || now.Before(e.expires) }

func (s *MemoryStore) Get(key string) ([]byte, bool, error) {
	sh := s.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[key]
	sh.mu.RUnlock()
	if !ok || !e.live(time.Now()) {
		return nil, false, nil
	}
	return e.value, true, nil
}

func (s *MemoryStore) Set(key string, value []byte, ttl time.Duration) error {
	e := memEntry{value: value}
	now := time.Now()
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.m[key] = e
	sh.sets++
	if sh.sets%1024 == 0 {
		// Expired entries nobody reads would otherwise stay forever.
		for k, e := range sh.m {
			if !e.live(now) {
				delete(sh.m, k)
			}
		}
	}
	return nil
}

func (s *MemoryStore) Delete(key string) (bool, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[key]
	delete(sh.m, key)
	return ok && e.live(time.Now()), nil
}

func (s *MemoryStore) Incr(key string, by int64) (int64, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[key]
	var n int64
	if ok && e.live(time.Now()) {
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

func (s *MemoryStore) Keys(prefix string) ([]string, error) {
	now := time.Now()
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

// openStore implements require("luaserve.store"), the shared store.
//
//	store.get(key) -> value | nil [, err]
//	store.set(key, value [, ttl_seconds]) -> true | nil, err  (nil value deletes)
//	store.delete(key) -> existed:boolean
//	store.incr(key [, by:integer]) -> integer | nil, err
//	store.keys([prefix]) -> { key, ... } sorted
//
// Values are strings, numbers, booleans or tables, stored as JSON: a table
// read back is a copy, and changing it changes nothing until set again.
func (st *state) openStore(L *lua.LState) int {
	s := st.e.store
	t := L.NewTable()
	fail := func(L *lua.LState, err error) int {
		L.Push(lua.LNil)
		L.Push(lua.LString("store: " + strings.TrimPrefix(err.Error(), "store: ")))
		return 2
	}
	L.SetFuncs(t, map[string]lua.LGFunction{
		"get": func(L *lua.LState) int {
			v, ok, err := s.Get(L.CheckString(1))
			if err != nil {
				return fail(L, err)
			}
			if !ok {
				L.Push(lua.LNil)
				return 1
			}
			val, err := decodeJSON(L, string(v))
			if err != nil {
				return fail(L, err)
			}
			L.Push(val)
			return 1
		},
		"set": func(L *lua.LState) int {
			key := L.CheckString(1)
			v := L.Get(2)
			if v == lua.LNil {
				if _, err := s.Delete(key); err != nil {
					return fail(L, err)
				}
				L.Push(lua.LTrue)
				return 1
			}
			ttl := time.Duration(float64(L.OptNumber(3, 0)) * float64(time.Second))
			b, err := encodeJSON(nil, v)
			if err != nil {
				L.ArgError(2, err.Error())
			}
			if err := s.Set(key, b, ttl); err != nil {
				return fail(L, err)
			}
			L.Push(lua.LTrue)
			return 1
		},
		"delete": func(L *lua.LState) int {
			ok, err := s.Delete(L.CheckString(1))
			if err != nil {
				return fail(L, err)
			}
			L.Push(lua.LBool(ok))
			return 1
		},
		"incr": func(L *lua.LState) int {
			key := L.CheckString(1)
			by := L.OptNumber(2, 1)
			if float64(by) != float64(int64(by)) {
				L.ArgError(2, "integer expected")
			}
			n, err := s.Incr(key, int64(by))
			if err != nil {
				return fail(L, err)
			}
			L.Push(lua.LNumber(n))
			return 1
		},
		"keys": func(L *lua.LState) int {
			keys, err := s.Keys(L.OptString(1, ""))
			if err != nil {
				return fail(L, err)
			}
			list := L.CreateTable(len(keys), 0)
			for _, k := range keys {
				list.Append(lua.LString(k))
			}
			L.Push(list)
			return 1
		},
	})
	L.Push(t)
	return 1
}
