package stdlib

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// SyntaxError is Lua source that does not compile.
type SyntaxError struct {
	Place
	Msg string
}

func (e *SyntaxError) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return e.Place.String() + ": " + e.Msg
}

// Compile parses and compiles src, named name in messages and tracebacks.
// States run the result with L.NewFunctionFromProto, so a file is compiled
// once however many states run it. Errors are *SyntaxError.
func Compile(src []byte, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		var pe *parse.Error
		if !errors.As(err, &pe) {
			return nil, &SyntaxError{Place{File: name}, err.Error()}
		}
		if pe.Pos.Line == parse.EOF {
			// Report the last line with code, as Lua itself does.
			last := bytes.Count(bytes.TrimRight(src, " \t\r\n"), []byte("\n")) + 1
			return nil, &SyntaxError{Place{name, last}, "unexpected end of file (a missing 'end' or closing bracket?)"}
		}
		msg := strings.TrimSpace(pe.Message)
		if pe.Token != "" {
			msg += fmt.Sprintf(" near '%s'", pe.Token)
		}
		return nil, &SyntaxError{Place{name, pe.Pos.Line}, msg}
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		var ce *lua.CompileError
		if errors.As(err, &ce) {
			return nil, &SyntaxError{Place{name, ce.Line}, ce.Message}
		}
		return nil, &SyntaxError{Place{File: name}, err.Error()}
	}
	return proto, nil
}

// Script returns a module written in Lua: src is compiled on the first
// call of the result and run, once per state, by require. Tracebacks name
// it as a file: luaserve.response is "luaserve/response.lua". It is for
// sources embedded in the binary, which tests load: a syntax error in one
// panics.
func Script(name string, src []byte) func() Module {
	return sync.OnceValue(func() Module {
		proto, err := Compile(src, strings.ReplaceAll(name, ".", "/")+".lua")
		if err != nil {
			panic("embedded Lua module " + name + ": " + err.Error())
		}
		return Module{Name: name, Open: func(L *lua.LState, _ Host) *lua.LTable {
			L.Push(L.NewFunctionFromProto(proto))
			L.Call(0, 1)
			t, ok := L.Get(-1).(*lua.LTable)
			L.Pop(1)
			if !ok {
				L.RaiseError("module %s did not return a table", name)
			}
			return t
		}}
	})
}
