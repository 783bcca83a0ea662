// Package store is luaserve.store, the store every Lua state shares.
//
//	store.get(key) -> value | nil [, err]
//	store.set(key, value [, ttl]) -> true | nil, err  (nil value deletes)
//	store.add(key, value [, ttl]) -> added:boolean | nil, err
//	store.cas(key, old, new [, ttl]) -> swapped:boolean | nil, err
//	store.delete(key) -> existed:boolean | nil, err
//	store.incr(key [, by:integer [, ttl]]) -> integer | nil, err
//	store.ttl(key) -> seconds | math.huge (no expiry) | nil (absent) [, err]
//	store.keys([prefix]) -> { key, ... } sorted | nil, err
//	store.stats() -> { keys, bytes, max_bytes, hits, misses, evictions, expired } | nil, err
//
// ttl is in seconds (> 0; fractions allowed). Values are strings, numbers,
// booleans, json.null or tables of those, kept byte for byte (see codec.go):
// a table read back is a copy, and changing it changes nothing until set
// again. Misuse (a key that is not a string, a value that cannot be stored)
// raises; a failing backend returns nil and a message starting "store: ",
// but one that cannot be reached stops the route with a 503
// (stdlib.StatusError).
package store

import (
	"errors"
	"math"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/store"
)

// Module is require("luaserve.store"): the host's store.
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.store", Open: open} }

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	b := binding{h}
	return L.SetFuncs(L.CreateTable(0, 10), map[string]lua.LGFunction{
		"get":    b.get,
		"set":    b.set,
		"add":    b.add,
		"cas":    b.cas,
		"delete": b.delete,
		"incr":   b.incr,
		"ttl":    b.ttl,
		"keys":   b.keys,
		"stats":  b.stats,
		"ping":   b.ping,
	})
}

type binding struct{ h stdlib.Host }

// fail pushes nil and the backend's error; a backend that cannot be
// reached stops the route instead, answered 503 unless it catches it (a
// route that read nil would take it for "no such key").
func (b binding) fail(L *lua.LState, err error) int {
	if errors.Is(err, store.ErrUnavailable) {
		// The detail (the backend's address) goes to the log, not to the
		// client.
		b.h.Log().Warn("luaserve.store: backend unavailable", "err", err.Error())
		stdlib.RaiseStatus(L, &stdlib.StatusError{Status: 503, Reason: "the store is unavailable"})
	}
	L.Push(lua.LNil)
	L.Push(lua.LString("store: " + strings.TrimPrefix(err.Error(), "store: ")))
	return 2
}

func (b binding) get(L *lua.LState) int {
	v, ok, err := b.h.Store().Get(b.h.Context(), L.CheckString(1))
	if err != nil {
		return b.fail(L, err)
	}
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	val, err := decode(b.h.Context(), L, v)
	if err != nil {
		return b.fail(L, err)
	}
	L.Push(val)
	return 1
}

func (b binding) set(L *lua.LState) int {
	key := L.CheckString(1)
	s, ctx := b.h.Store(), b.h.Context()
	if L.Get(2) == lua.LNil {
		if _, err := s.Delete(ctx, key); err != nil {
			return b.fail(L, err)
		}
		L.Push(lua.LTrue)
		return 1
	}
	value, ttl := b.value(L, 2), optTTL(L, 3)
	if err := s.Set(ctx, key, value, ttl); err != nil {
		return b.fail(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

func (b binding) add(L *lua.LState) int {
	key := L.CheckString(1)
	value, ttl := b.value(L, 2), optTTL(L, 3)
	ok, err := b.h.Store().Add(b.h.Context(), key, value, ttl)
	if err != nil {
		return b.fail(L, err)
	}
	L.Push(lua.LBool(ok))
	return 1
}

// cas sets key to new only when it holds old (nil: nothing); a nil new
// deletes.
func (b binding) cas(L *lua.LState) int {
	key := L.CheckString(1)
	var old, value []byte
	if L.Get(2) != lua.LNil {
		old = b.value(L, 2)
	}
	if L.Get(3) != lua.LNil {
		value = b.value(L, 3)
	}
	ok, err := b.h.Store().Swap(b.h.Context(), key, old, value, optTTL(L, 4))
	if err != nil {
		return b.fail(L, err)
	}
	L.Push(lua.LBool(ok))
	return 1
}

// value returns argument n in its stored form, raising when it cannot be
// stored.
func (b binding) value(L *lua.LState, n int) []byte {
	v := L.CheckAny(n)
	if v == lua.LNil {
		L.ArgError(n, "value expected, got nil")
	}
	text, err := encode(b.h.Context(), v)
	if err != nil {
		L.ArgError(n, err.Error())
	}
	return text
}

// optTTL reads an optional ttl in seconds; absent or nil is none.
func optTTL(L *lua.LState, n int) time.Duration {
	if L.Get(n) == lua.LNil {
		return 0
	}
	secs := float64(L.CheckNumber(n))
	if !(secs > 0) || secs > maxTTL.Seconds() {
		L.ArgError(n, "ttl must be a positive number of seconds")
	}
	return time.Duration(secs * float64(time.Second))
}

// maxTTL keeps a ttl inside time.Duration.
const maxTTL = 100 * 365 * 24 * time.Hour

func (b binding) delete(L *lua.LState) int {
	ok, err := b.h.Store().Delete(b.h.Context(), L.CheckString(1))
	if err != nil {
		return b.fail(L, err)
	}
	L.Push(lua.LBool(ok))
	return 1
}

func (b binding) incr(L *lua.LState) int {
	key := L.CheckString(1)
	by := L.OptNumber(2, 1)
	if float64(by) != float64(int64(by)) {
		L.ArgError(2, "integer expected")
	}
	if math.Abs(float64(by)) >= 1<<63 {
		L.ArgError(2, "integer out of range")
	}
	n, err := b.h.Store().Incr(b.h.Context(), key, int64(by), optTTL(L, 3))
	if err != nil {
		return b.fail(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

func (b binding) ttl(L *lua.LState) int {
	left, ok, err := b.h.Store().TTL(b.h.Context(), L.CheckString(1))
	switch {
	case err != nil:
		return b.fail(L, err)
	case !ok:
		L.Push(lua.LNil)
	case left == 0:
		L.Push(lua.LNumber(math.MaxFloat64)) // gopher-lua's math.huge
	default:
		L.Push(lua.LNumber(left.Seconds()))
	}
	return 1
}

// ping is store.ping(): true when the backend answers, else nil and why;
// it never raises, so a readiness route can answer 503 itself.
func (b binding) ping(L *lua.LState) int {
	if p, ok := b.h.Store().(store.Pinger); ok {
		if err := p.Ping(b.h.Context()); err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString("store: " + strings.TrimPrefix(err.Error(), "store: ")))
			return 2
		}
	}
	L.Push(lua.LTrue)
	return 1
}

func (b binding) stats(L *lua.LState) int {
	st, err := b.h.Store().Stats(b.h.Context())
	if err != nil {
		return b.fail(L, err)
	}
	t := L.CreateTable(0, 7)
	for _, f := range []struct {
		name string
		n    int64
	}{
		{"keys", st.Keys}, {"bytes", st.Bytes}, {"max_bytes", st.MaxBytes}, {"hits", st.Hits},
		{"misses", st.Misses}, {"evictions", st.Evictions}, {"expired", st.Expired},
	} {
		t.RawSetString(f.name, lua.LNumber(f.n))
	}
	L.Push(t)
	return 1
}

func (b binding) keys(L *lua.LState) int {
	keys, err := b.h.Store().Keys(b.h.Context(), L.OptString(1, ""))
	if err != nil {
		return b.fail(L, err)
	}
	// A store of millions of keys makes a list that big: it counts against
	// the request's memory like any other built value.
	n := 0
	for _, k := range keys {
		n += len(k) + valueBytes
	}
	if err := stdlib.Charge(b.h.Context(), n); err != nil {
		L.RaiseError("store.keys: %s", err.Error())
	}
	list := L.CreateTable(len(keys), 0)
	for _, k := range keys {
		list.Append(lua.LString(k))
	}
	L.Push(list)
	return 1
}
