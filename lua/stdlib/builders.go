package stdlib

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// table.concat and string.format build strings whose size the input
// chooses: they charge the request's memory budget before building, and a
// long concat checks the time limit as it goes. string.rep, find, match,
// gmatch and gsub are in strings.go.

// concatCheckEvery is how many elements table.concat joins between
// checks of the request's context.
const concatCheckEvery = 1 << 16

// installBuilders replaces table.concat and string.format in L.
func installBuilders(L *lua.LState, h Host) {
	tbl := L.GetGlobal("table").(*lua.LTable)
	tbl.RawSetString("concat", L.NewFunction(func(L *lua.LState) int { return tableConcat(L, h) }))
	str := L.GetGlobal("string").(*lua.LTable)
	format := str.RawGetString("format").(*lua.LFunction)
	str.RawSetString("format", L.NewFunction(func(L *lua.LState) int { return stringFormat(L, h, format) }))
}

// tableConcat is table.concat(t [, sep [, i [, j]]]) with Lua 5.1's rules:
// j defaults to #t, and a value in i..j that is not a string or a number
// (nil included) is an error.
func tableConcat(L *lua.LState, h Host) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := L.OptInt(3, 1)
	j := L.OptInt(4, t.Len())
	if i > j {
		L.Push(lua.LString(""))
		return 1
	}
	ctx := h.Context()
	size := 0
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			size += len(v)
		case lua.LNumber:
			size += len(v.String())
		default:
			L.RaiseError("invalid value (at index %d) in table for 'concat'", k)
		}
		if (k-i)%concatCheckEvery == concatCheckEvery-1 && ctx.Err() != nil {
			L.RaiseError("table.concat: %v", ctx.Err())
		}
	}
	size += (j - i) * len(sep)
	if err := Charge(ctx, size); err != nil {
		L.RaiseError("table.concat: %v", err)
	}
	var b strings.Builder
	b.Grow(size)
	for k := i; k <= j; k++ {
		if k > i {
			b.WriteString(sep)
		}
		b.WriteString(lua.LVAsString(t.RawGetInt(k)))
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// stringFormat is string.format with Lua 5.1's bound on a conversion's
// width and precision (two digits each), which also bounds the output:
// the format, the string arguments, and at most 99 + 99 bytes a
// conversion. It charges that before gopher-lua's format builds it.
func stringFormat(L *lua.LState, h Host, format *lua.LFunction) int {
	f := L.CheckString(1)
	specs, err := checkFormat(f)
	if err != nil {
		L.RaiseError("bad argument #1 to 'format' (%v)", err)
	}
	size := len(f) + 200*specs
	for k := 2; k <= L.GetTop(); k++ {
		if s, ok := L.Get(k).(lua.LString); ok {
			size += len(s)
		}
	}
	if err := Charge(h.Context(), size); err != nil {
		L.RaiseError("string.format: %v", err)
	}
	L.Insert(format, 1)
	L.Call(L.GetTop()-1, 1)
	return 1
}

// checkFormat counts a format string's conversions and refuses what Lua
// 5.1 refuses: a width or precision of more than two digits, a conversion
// it does not have, a format that ends in '%'.
func checkFormat(f string) (specs int, err error) {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			i++
		}
		digits := func() bool {
			n := 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
				n++
			}
			return n <= 2
		}
		ok := digits()
		if i < len(f) && f[i] == '.' {
			i++
			ok = digits() && ok
		}
		if !ok {
			return 0, fmt.Errorf("invalid format (width or precision too long)")
		}
		if i >= len(f) || strings.IndexByte("cdiouxXeEfgGqs", f[i]) < 0 {
			return 0, fmt.Errorf("invalid option to 'format'")
		}
		specs++
	}
	return specs, nil
}
