package db

import (
	"math"
	"strconv"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	sqldb "github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// bindArgs reads the parameters after the SQL text (argument 1): one
// table for :name, else the values for ?, in order.
func (b *binding) bindArgs(L *lua.LState) sqldb.Args {
	top := L.GetTop()
	if top == 2 {
		if t, ok := L.Get(2).(*lua.LTable); ok {
			return sqldb.Args{Named: b.named(L, t)}
		}
	}
	b.args = b.args[:0]
	for i := 2; i <= top; i++ {
		b.args = append(b.args, b.toGo(L, i, L.Get(i)))
	}
	return sqldb.Args{List: b.args}
}

// named reads { name = value } for :name parameters (argument 2).
func (b *binding) named(L *lua.LState, t *lua.LTable) map[string]any {
	m := make(map[string]any, 4)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		name, ok := k.(lua.LString)
		if !ok {
			L.ArgError(2, "parameter names must be strings, got "+k.Type().String())
		}
		m[string(name)] = b.toGo(L, 2, v)
	}
	return m
}

// toGo converts a Lua value for binding; arg numbers the argument in
// errors.
func (b *binding) toGo(L *lua.LState, arg int, v lua.LValue) any {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LBool:
		return bool(v)
	case lua.LNumber:
		f := float64(v)
		// Integral values in int64's range bind as integers, so 42 is 42
		// and not 42.0; 2^63 itself is out of range.
		if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return int64(f)
		}
		return f
	case lua.LString:
		if utf8.ValidString(string(v)) {
			return string(v)
		}
		return []byte(v)
	}
	if json.IsNull(v) {
		return nil
	}
	L.ArgError(arg, "cannot bind a "+v.Type().String()+" (nil, db.null, boolean, number or string expected)")
	return nil
}

// maxExact is the largest integer a Lua number (a float64) holds exactly.
const maxExact = 1 << 53

// toLua converts a column value.
func (b *binding) toLua(col sqldb.Column, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return b.null
	case int64:
		if col.Bool && (v == 0 || v == 1) {
			return lua.LBool(v == 1)
		}
		return integer(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []byte:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	}
	return lua.LString("?")
}

// integer is n as a Lua number, or as a string of its digits when a
// number would round it.
func integer(n int64) lua.LValue {
	if n > maxExact || n < -maxExact {
		return lua.LString(strconv.FormatInt(n, 10))
	}
	return lua.LNumber(n)
}

// rowTable makes a row: column name -> value, in column order (the order
// json.encode writes keys in).
func (b *binding) rowTable(L *lua.LState, cols []sqldb.Column, vals []any) *lua.LTable {
	t := L.CreateTable(0, len(cols))
	for i, c := range cols {
		t.RawSetString(c.Name, b.toLua(c, vals[i]))
	}
	return t
}
