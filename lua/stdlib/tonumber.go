package stdlib

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// installToNumber replaces tonumber with Lua 5.1's: gopher-lua's refuses
// exponents ("3e9" and "1e3" are nil there, though "3e9" + 0 works) and
// integers past 2^63, which an id from a URL can be.
func installToNumber(L *lua.LState) {
	L.SetGlobal("tonumber", L.NewFunction(toNumber))
}

// toNumber is tonumber(e [, base]).
func toNumber(L *lua.LState) int {
	v := L.CheckAny(1)
	if L.Get(2) == lua.LNil {
		switch v := v.(type) {
		case lua.LNumber:
			L.Push(v)
		case lua.LString:
			L.Push(parseDecimal(string(v)))
		default:
			L.Push(lua.LNil)
		}
		return 1
	}
	base := L.CheckInt(2)
	if base < 2 || base > 36 {
		L.ArgError(2, "base out of range")
	}
	L.Push(parseBase(L.CheckString(1), base))
	return 1
}

// luaSpace is what Lua 5.1 (isspace) trims around a number.
const luaSpace = " \f\n\r\t\v"

// parseDecimal reads a number as Lua 5.1 does without a base: decimal
// with an optional fraction and exponent, or hexadecimal after 0x, with
// an optional sign, between spaces; nil for anything else (inf and nan
// included).
func parseDecimal(s string) lua.LValue {
	s = strings.Trim(s, luaSpace)
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 {
		return lua.LNil
	}
	if len(digits) > 2 && (digits[:2] == "0x" || digits[:2] == "0X") {
		n, err := strconv.ParseUint(digits[2:], 16, 64)
		if err != nil {
			return lua.LNil
		}
		if neg {
			return lua.LNumber(-float64(n))
		}
		return lua.LNumber(float64(n))
	}
	if digits == "" || strings.Trim(digits, "0123456789.eE+-") != "" {
		return lua.LNil // letters: inf, nan, 1_000 and the like
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRange(err) {
		return lua.LNil
	}
	return lua.LNumber(f)
}

// isRange reports an out-of-range error: ParseFloat then returns ±Inf or
// 0, as strtod does.
func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseBase reads an integer in base (2 to 36), as Lua 5.1's strtoul:
// an optional minus, digits and letters, spaces around.
func parseBase(s string, base int) lua.LValue {
	s = strings.Trim(s, luaSpace)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	n, err := strconv.ParseUint(strings.ToLower(s), base, 64)
	if err != nil || s == "" || strings.HasPrefix(s, "+") {
		return lua.LNil
	}
	if neg {
		return lua.LNumber(-float64(n))
	}
	return lua.LNumber(float64(n))
}
