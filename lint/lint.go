package lint

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/luatest"
	"github.com/luaserve/luaserve/session"
)

// Finding is one problem, at a file and line (0 when unknown).
type Finding struct {
	stdlib.Place
	Msg string
}

func (f Finding) String() string { return f.Place.String() + ": " + f.Msg }

// Result is what Check found.
type Result struct {
	// Load is the error loading the script, nil when it loaded; the other
	// checks still run on what could be parsed.
	Load     *engine.LoadError
	Findings []Finding // sorted by file and line; Load is not among them
	Routes   []engine.RouteInfo
}

// All returns every problem, the load error first.
func (r *Result) All() []Finding {
	var out []Finding
	if r.Load != nil {
		out = append(out, Finding{r.Load.Place, r.Load.Msg})
	}
	return append(out, r.Findings...)
}

// Check loads the script as the server would (one Lua state) and lints it.
// The error is for what is not a finding: an unreadable script.
func Check(script string) (*Result, error) {
	if _, err := os.Stat(script); err != nil {
		return nil, err
	}
	res := &Result{}
	var files, globals []string
	if strings.HasSuffix(script, "_test.lua") {
		// A test file runs under "luaserve test", with its globals.
		files, globals = []string{script}, append(builtinGlobals(), luatest.Globals()...)
	} else {
		files, globals = res.load(script)
	}
	res.Findings = append(res.Findings, lintSources(ownFiles(script, files), globals)...)
	for i := range res.Findings {
		res.Findings[i].File = rel(res.Findings[i].File)
	}
	if res.Load != nil {
		res.Load.File = rel(res.Load.File)
	}
	res.Findings = dedupe(res.Findings)
	return res, nil
}

// load loads the script in an engine and checks what it registered. It
// returns the Lua files to lint and the globals defined once the script
// has loaded (a fresh state's, when it failed to load).
func (res *Result) load(script string) (files, globals []string) {
	eng, err := engine.New(engine.Config{Script: script, Workers: 1, SessionSecrets: []string{session.RandomSecret()},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		var le *engine.LoadError
		if !errors.As(err, &le) {
			le = &engine.LoadError{Place: stdlib.Place{File: script}, Msg: err.Error()}
		}
		res.Load = le
		return []string{script}, builtinGlobals()
	}
	defer eng.Close()
	res.Routes = eng.Routes()
	routes := res.Routes[:len(res.Routes)-len(eng.Mounts())]
	res.Findings = append(res.Findings, checkPatterns(routes)...)
	res.Findings = append(res.Findings, checkUnreachable(eng.Unreachable())...)
	res.Findings = append(res.Findings, checkMounts(eng.Mounts())...)
	return eng.Files(), eng.Globals()
}

// lintSources parses files and checks their globals, responses and hooks.
func lintSources(files, globals []string) []Finding {
	chunks := map[string][]ast.Stmt{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		chunk, err := parse.Parse(bytes.NewReader(src), f)
		if err != nil {
			continue // a syntax error is the load error
		}
		chunks[f] = chunk
	}
	declared := map[string]bool{}
	for _, g := range globals {
		declared[g] = true
	}
	for _, chunk := range chunks {
		topLevelGlobals(chunk, declared)
	}
	var out []Finding
	var hooks []hookCall
	for _, f := range files {
		chunk, ok := chunks[f]
		if !ok {
			continue
		}
		out = append(out, checkGlobals(f, chunk, declared)...)
		regs := registrations(chunk)
		out = append(out, checkResponses(f, regs)...)
		for _, r := range regs {
			if r.kind == "not_found" || r.kind == "on_error" || r.kind == "on_status" {
				hooks = append(hooks, hookCall{stdlib.Place{File: f, Line: r.line}, r.kind})
			}
		}
	}
	return append(out, checkHooks(hooks)...)
}

// ownFiles keeps the files of the project: those in the script's folder
// and below, except a LuaRocks tree (lua_modules). Libraries are loaded and
// their globals counted, but their code is not the user's to fix.
func ownFiles(script string, files []string) []string {
	dir, err := filepath.Abs(filepath.Dir(script))
	if err != nil {
		return files
	}
	var out []string
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		r, err := filepath.Rel(dir, abs)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) ||
			r == "lua_modules" || strings.HasPrefix(r, "lua_modules"+string(filepath.Separator)) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// builtinGlobals lists the globals of a fresh state, made as the server
// makes its states: what a script that failed to load can rely on.
func builtinGlobals() []string {
	L := stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{})
	defer L.Close()
	var names []string
	L.G.Global.ForEach(func(k, _ lua.LValue) { names = append(names, lua.LVAsString(k)) })
	return names
}

func dedupe(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return slices.Compact(fs)
}

// rel shortens an absolute path to one relative to the working folder
// when that is shorter, for messages.
func rel(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
