package luatest

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// failure is a failed expectation, raised as a Lua error whose value is a
// userdata holding it, so the runner can tell it from a script error.
type failure struct {
	where            stdlib.Place // of the expect, assert or fail call
	msg              string
	expected, actual string
	values           bool // expected and actual are meaningful
}

// raise fails the running test at the calling Lua line.
func raise(L *lua.LState, f *failure) {
	f.where = stdlib.Caller(L, 1)
	ud := L.NewUserData()
	ud.Value = f
	L.Error(ud, 0)
}

// installAssertions sets expect, assert and fail.
func installAssertions(L *lua.LState) {
	L.SetGlobal("expect", L.NewFunction(expect))
	L.SetGlobal("assert", L.NewFunction(func(L *lua.LState) int {
		if !lua.LVAsBool(L.Get(1)) {
			msg := "assertion failed"
			if L.GetTop() >= 2 {
				msg += ": " + L.ToStringMeta(L.Get(2)).String()
			}
			raise(L, &failure{msg: msg})
		}
		return L.GetTop()
	}))
	L.SetGlobal("fail", L.NewFunction(func(L *lua.LState) int {
		raise(L, &failure{msg: L.ToStringMeta(L.Get(1)).String()})
		return 0
	}))
}

// expect implements expect(actual) -> expectation, a table of matchers
// that may be called with '.' or ':'.
func expect(L *lua.LState) int {
	actual := L.Get(1)
	t := L.CreateTable(0, len(matchers))
	for name, check := range matchers {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			first := 1
			if L.GetTop() >= 1 && L.Get(1) == t { // called with ':'
				first = 2
			}
			if f := check(L, actual, L.Get(first)); f != nil {
				if !strings.HasPrefix(f.msg, name) {
					f.msg = name + ": " + f.msg
				}
				raise(L, f)
			}
			return 0
		}))
	}
	L.Push(t)
	return 1
}

// A matcher checks actual against its argument; nil means it holds.
type matcher func(L *lua.LState, actual, arg lua.LValue) *failure

var matchers = map[string]matcher{
	"to_be":        toBe,
	"not_to_be":    notToBe,
	"to_equal":     toEqual,
	"not_to_equal": notToEqual,
	"to_contain":   toContain,
	"to_match":     toMatch,
	"to_be_nil":    toBeNil,
	"to_be_truthy": func(_ *lua.LState, actual, _ lua.LValue) *failure {
		if !lua.LVAsBool(actual) {
			return &failure{msg: show(actual) + " is not truthy"}
		}
		return nil
	},
	"to_be_falsy": func(_ *lua.LState, actual, _ lua.LValue) *failure {
		if lua.LVAsBool(actual) {
			return &failure{msg: show(actual) + " is not false or nil"}
		}
		return nil
	},
}

// differ is a failure that shows both values.
func differ(msg string, actual, want lua.LValue) *failure {
	return &failure{msg: msg, expected: show(want), actual: show(actual), values: true}
}

func toBe(_ *lua.LState, actual, want lua.LValue) *failure {
	if actual != want {
		return differ("values differ", actual, want)
	}
	return nil
}

func notToBe(_ *lua.LState, actual, want lua.LValue) *failure {
	if actual == want {
		return &failure{msg: "both are " + show(actual)}
	}
	return nil
}

func toEqual(_ *lua.LState, actual, want lua.LValue) *failure {
	if path, eq := diff(actual, want, "", 0); !eq {
		msg := "values differ"
		if path != "" {
			msg += " at " + path
		}
		return differ(msg, actual, want)
	}
	return nil
}

func notToEqual(_ *lua.LState, actual, want lua.LValue) *failure {
	if _, eq := diff(actual, want, "", 0); eq {
		return &failure{msg: "both are " + show(actual)}
	}
	return nil
}

func toContain(_ *lua.LState, actual, want lua.LValue) *failure {
	switch a := actual.(type) {
	case lua.LString:
		if s, ok := want.(lua.LString); ok && strings.Contains(string(a), string(s)) {
			return nil
		}
	case *lua.LTable:
		found := false
		a.ForEach(func(_, v lua.LValue) {
			if _, eq := diff(v, want, "", 0); eq {
				found = true
			}
		})
		if found {
			return nil
		}
	}
	return &failure{msg: fmt.Sprintf("%s does not contain %s", show(actual), show(want))}
}

func toMatch(L *lua.LState, actual, pattern lua.LValue) *failure {
	s, ok := actual.(lua.LString)
	if !ok {
		return &failure{msg: fmt.Sprintf("%s is not a string", show(actual))}
	}
	find := L.GetField(L.GetGlobal("string"), "find")
	if err := L.CallByParam(lua.P{Fn: find, NRet: 1, Protect: true}, s, pattern); err != nil {
		return &failure{msg: "bad pattern: " + err.Error()}
	}
	found := L.Get(-1)
	L.Pop(1)
	if found == lua.LNil {
		return &failure{msg: fmt.Sprintf("%s does not match %s", show(actual), show(pattern))}
	}
	return nil
}

func toBeNil(_ *lua.LState, actual, _ lua.LValue) *failure {
	if actual != lua.LNil {
		return differ("not nil", actual, lua.LNil)
	}
	return nil
}
