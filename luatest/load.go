package luatest

import (
	"os"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// loadFile compiles a test file, reporting a syntax error as
// "file:line: message" as the engine does for scripts, and runs it (which
// registers its tests).
func loadFile(L *lua.LState, path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	proto, err := stdlib.Compile(src, path)
	if err != nil {
		return err
	}
	L.Push(L.NewFunctionFromProto(proto))
	return L.PCall(0, 0, nil)
}

// compileFile compiles a module a test file requires.
func compileFile(path string) (*lua.FunctionProto, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return stdlib.Compile(src, path)
}
