package engine

import (
	"os"
	"sort"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// compiler turns Lua files into function prototypes, once per file: every
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

// compile compiles src, reporting errors as *LoadError.
func compile(src []byte, name string) (*lua.FunctionProto, error) {
	p, err := stdlib.Compile(src, name)
	if err != nil {
		return nil, loadErrorFrom(err)
	}
	return p, nil
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
		return nil, &LoadError{stdlib.Place{File: path}, err.Error()}
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
