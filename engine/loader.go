package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// compiler turns Lua source into function prototypes, once per file: every
// state of an engine runs the same prototypes. It also remembers which
// files the script loaded, for the reload watcher.
type compiler struct {
	mu     sync.Mutex
	protos map[string]*lua.FunctionProto // by file path
	errs   map[string]error
}

func newCompiler() *compiler {
	return &compiler{protos: map[string]*lua.FunctionProto{}, errs: map[string]error{}}
}

// compile parses and compiles src, reporting errors as "file:line: message".
func compile(src []byte, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) {
			if pe.Pos.Line == parse.EOF {
				// Report the last line with code, as Lua itself does.
				last := bytes.Count(bytes.TrimRight(src, " \t\r\n"), []byte("\n")) + 1
				return nil, &LoadError{File: name, Line: last,
					Msg: "unexpected end of file (a missing 'end' or closing bracket?)"}
			}
			msg := strings.TrimSpace(pe.Message)
			if pe.Token != "" {
				msg += fmt.Sprintf(" near '%s'", pe.Token)
			}
			return nil, &LoadError{File: name, Line: pe.Pos.Line, Msg: msg}
		}
		return nil, &LoadError{File: name, Msg: err.Error()}
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		var ce *lua.CompileError
		if errors.As(err, &ce) {
			return nil, &LoadError{File: name, Line: ce.Line, Msg: ce.Message}
		}
		return nil, &LoadError{File: name, Msg: err.Error()}
	}
	return proto, nil
}

// file compiles the file at path once and caches the result (or error).
func (c *compiler) file(path string) (*lua.FunctionProto, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.protos[path]; ok {
		return p, nil
	}
	if err, ok := c.errs[path]; ok {
		return nil, err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Msg: err.Error()}
	}
	p, err := compile(src, path)
	if err != nil {
		c.errs[path] = err
		return nil, err
	}
	c.protos[path] = p
	return p, nil
}

// files lists the Lua files compiled so far (script and required modules).
func (c *compiler) files() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.protos)+len(c.errs))
	for f := range c.protos {
		out = append(out, f)
	}
	for f := range c.errs {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// LoadError is a script that does not compile or load: a syntax error, a
// runtime error while the script registers its routes, or a bad route.
type LoadError struct {
	File string
	Line int // 0 when unknown
	Msg  string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	if e.File != "" {
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

// stdlibProtos compiles the embedded Lua modules.
func stdlibProtos() (map[string]*lua.FunctionProto, error) {
	out := map[string]*lua.FunctionProto{}
	err := fs.WalkDir(stdlib.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".lua") {
			return err
		}
		src, err := stdlib.FS.ReadFile(path)
		if err != nil {
			return err
		}
		p, err := compile(src, "luaserve/"+path)
		if err != nil {
			return err
		}
		out["luaserve."+strings.TrimSuffix(path, ".lua")] = p
		return nil
	})
	return out, err
}

// protoLoader returns a package.preload loader that runs proto.
func protoLoader(proto *lua.FunctionProto) lua.LGFunction {
	return func(L *lua.LState) int {
		L.Push(L.NewFunctionFromProto(proto))
		L.Call(0, 1)
		return 1
	}
}

// moduleSearcher replaces package.loaders' file searcher: it finds
// require("a.b") as dir/a/b.lua or dir/a/b/init.lua under the script's
// folder, and compiles each file once for all states.
func (e *Engine) moduleSearcher(L *lua.LState) int {
	name := L.CheckString(1)
	rel := strings.ReplaceAll(name, ".", string(filepath.Separator))
	var tried []string
	for _, cand := range []string{rel + ".lua", filepath.Join(rel, "init.lua")} {
		path := filepath.Join(e.scriptDir, cand)
		tried = append(tried, "\n\tno file '"+path+"'")
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			continue
		}
		proto, err := e.compiler.file(path)
		if err != nil {
			L.RaiseError("%s", err.Error())
			return 0
		}
		L.Push(L.NewFunctionFromProto(proto))
		return 1
	}
	L.Push(lua.LString(strings.Join(tried, "")))
	return 1
}
