// Package store is luaserve.store, the store every Lua state shares.
//
//	store.get(key) -> value | nil [, err]
//	store.set(key, value [, ttl_seconds > 0]) -> true | nil, err  (nil value deletes)
//	store.delete(key) -> existed:boolean | nil, err
//	store.incr(key [, by:integer]) -> integer | nil, err
//	store.keys([prefix]) -> { key, ... } sorted | nil, err
//
// Values are strings, numbers, booleans or tables, stored as JSON: a table
// read back is a copy, and changing it changes nothing until set again.
// Misuse (a key that is not a string, a value JSON cannot hold) raises; a
// failing backend returns nil and a message starting with "store: ".
package store

import (
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// Module is require("luaserve.store"): the host's store.
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.store", Open: open} }

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	b := binding{h}
	return L.SetFuncs(L.CreateTable(0, 5), map[string]lua.LGFunction{
		"get":    b.get,
		"set":    b.set,
		"delete": b.delete,
		"incr":   b.incr,
		"keys":   b.keys,
	})
}

type binding struct{ h stdlib.Host }

// fail pushes nil and the backend's error.
func fail(L *lua.LState, err error) int {
	L.Push(lua.LNil)
	L.Push(lua.LString("store: " + strings.TrimPrefix(err.Error(), "store: ")))
	return 2
}

func (b binding) get(L *lua.LState) int {
	v, ok, err := b.h.Store().Get(b.h.Context(), L.CheckString(1))
	if err != nil {
		return fail(L, err)
	}
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	val, err := json.Decode(b.h.Context(), L, string(v))
	if err != nil {
		return fail(L, err)
	}
	L.Push(val)
	return 1
}

func (b binding) set(L *lua.LState) int {
	key := L.CheckString(1)
	v := L.Get(2)
	s, ctx := b.h.Store(), b.h.Context()
	if v == lua.LNil {
		if _, err := s.Delete(ctx, key); err != nil {
			return fail(L, err)
		}
		L.Push(lua.LTrue)
		return 1
	}
	var ttl time.Duration
	if L.Get(3) != lua.LNil {
		secs := float64(L.CheckNumber(3))
		if !(secs > 0) {
			L.ArgError(3, "ttl must be a positive number of seconds")
		}
		ttl = time.Duration(secs * float64(time.Second))
	}
	text, err := json.Encode(ctx, nil, v)
	if err != nil {
		L.ArgError(2, err.Error())
	}
	if err := s.Set(ctx, key, text, ttl); err != nil {
		return fail(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

func (b binding) delete(L *lua.LState) int {
	ok, err := b.h.Store().Delete(b.h.Context(), L.CheckString(1))
	if err != nil {
		return fail(L, err)
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
	n, err := b.h.Store().Incr(b.h.Context(), key, int64(by))
	if err != nil {
		return fail(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

func (b binding) keys(L *lua.LState) int {
	keys, err := b.h.Store().Keys(b.h.Context(), L.OptString(1, ""))
	if err != nil {
		return fail(L, err)
	}
	list := L.CreateTable(len(keys), 0)
	for _, k := range keys {
		list.Append(lua.LString(k))
	}
	L.Push(list)
	return 1
}
