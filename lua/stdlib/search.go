package stdlib

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// RocksTree is where "luarocks --tree lua_modules install x" puts pure-Lua
// modules, relative to the script's folder.
var RocksTree = filepath.Join("lua_modules", "share", "lua", "5.1")

// DefaultLuaPath is what ";;" in a search path stands for, and the search
// path after the project's own folders when none is given: where the
// system's Lua 5.1 libraries are installed (Debian's lua-* packages, "make
// install" of a rock into /usr/local), as the reference Lua searches them.
func DefaultLuaPath() string {
	if runtime.GOOS == "windows" {
		return ""
	}
	return "/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;" +
		"/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua"
}

// SearchPath returns the package.path of a script in folder dir: dir's
// own modules, then a LuaRocks tree beside it (RocksTree), then extra (the
// -lua-path flag or LUA_PATH), in which ";;" stands for DefaultLuaPath;
// extra "" means DefaultLuaPath. Templates are ";"-separated, "?" is the
// module name with its dots turned into folder separators.
func SearchPath(dir, extra string) string {
	rocks := filepath.Join(dir, RocksTree)
	own := []string{
		filepath.Join(dir, "?.lua"), filepath.Join(dir, "?", "init.lua"),
		filepath.Join(rocks, "?.lua"), filepath.Join(rocks, "?", "init.lua"),
	}
	if extra == "" {
		extra = DefaultLuaPath()
	} else {
		extra = strings.ReplaceAll(extra, ";;", ";"+DefaultLuaPath()+";")
	}
	var parts []string
	for _, t := range append(own, strings.Split(extra, ";")...) {
		if t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, ";")
}

// searchFolders are the folders the templates of path search in: each
// template's text before its first "?" (its folder when the "?" is inside
// a name), made absolute. The sandbox lets require read these.
func searchFolders(path string) []string {
	var out []string
	for _, t := range strings.Split(path, ";") {
		i := strings.IndexByte(t, '?')
		if i < 0 {
			continue
		}
		prefix := t[:i]
		if !strings.HasSuffix(prefix, "/") && !strings.HasSuffix(prefix, string(filepath.Separator)) {
			prefix = filepath.Dir(prefix)
		}
		if prefix == "" {
			prefix = "."
		}
		out = append(out, prefix)
	}
	return out
}

// pathSearcher is the package.loaders entry that finds require("a.b") on
// package.path as it is when require runs, so a script may change it.
// load compiles a file (a cache shared by the states compiles each once).
// In the sandbox (sb non-nil), only files inside sb's folders are read.
func pathSearcher(load func(path string) (*lua.FunctionProto, error), sb *sandbox) lua.LGFunction {
	return func(L *lua.LState) int {
		name := L.CheckString(1)
		var path lua.LValue = lua.LNil
		if pkg, ok := L.GetGlobal("package").(*lua.LTable); ok {
			path = pkg.RawGetString("path")
		}
		s, ok := path.(lua.LString)
		if !ok {
			L.RaiseError("package.path must be a string")
		}
		rel := strings.ReplaceAll(name, ".", string(filepath.Separator))
		var tried strings.Builder
		for _, t := range strings.Split(string(s), ";") {
			if t == "" {
				continue
			}
			file := strings.ReplaceAll(t, "?", rel)
			if abs, err := filepath.Abs(file); err == nil {
				file = abs
			}
			if fi, err := os.Stat(file); err != nil || fi.IsDir() {
				tried.WriteString("\n\tno file '" + file + "'")
				continue
			}
			if sb != nil {
				real, err := sb.resolve(file, true)
				if err != nil {
					tried.WriteString("\n\tsandbox: " + err.Error())
					continue
				}
				file = real
			}
			proto, err := load(file)
			if err != nil {
				L.RaiseError("%s", err.Error())
			}
			L.Push(L.NewFunctionFromProto(proto))
			return 1
		}
		L.Push(lua.LString(tried.String()))
		return 1
	}
}
