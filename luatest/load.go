package luatest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// loadFile compiles a test file, reporting a syntax error as
// "file:line: message" as the engine does for scripts, and runs it (which
// registers its tests).
func loadFile(L *lua.LState, path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	chunk, err := parse.Parse(bytes.NewReader(src), path)
	if err != nil {
		var pe *parse.Error
		if !errors.As(err, &pe) {
			return err
		}
		if pe.Pos.Line == parse.EOF {
			last := bytes.Count(bytes.TrimRight(src, " \t\r\n"), []byte("\n")) + 1
			return fmt.Errorf("%s:%d: unexpected end of file (a missing 'end' or closing bracket?)", path, last)
		}
		msg := strings.TrimSpace(pe.Message)
		if pe.Token != "" {
			msg += fmt.Sprintf(" near '%s'", pe.Token)
		}
		return fmt.Errorf("%s:%d: %s", path, pe.Pos.Line, msg)
	}
	proto, err := lua.Compile(chunk, path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	L.Push(L.NewFunctionFromProto(proto))
	return L.PCall(0, 0, nil)
}
