package lint

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"

	"github.com/luaserve/luaserve/engine"
)

// Finding is one problem, at a file and line (0 when unknown).
type Finding struct {
	File string
	Line int
	Msg  string
}

func (f Finding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Msg)
	}
	return f.File + ": " + f.Msg
}

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
		out = append(out, Finding{r.Load.File, r.Load.Line, r.Load.Msg})
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
	eng, err := engine.New(engine.Config{Script: script, Workers: 1,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	files := []string{script}
	var globals []string
	if err != nil {
		var le *engine.LoadError
		if !errors.As(err, &le) {
			le = &engine.LoadError{File: script, Msg: err.Error()}
		}
		res.Load = le
		globals = builtinGlobals()
	} else {
		defer eng.Close()
		files = eng.Files()
		globals = eng.Globals()
		res.Routes = eng.Routes()
		routes := res.Routes[:len(res.Routes)-len(eng.Mounts())]
		res.Findings = append(res.Findings, checkPatterns(routes)...)
		res.Findings = append(res.Findings, checkUnreachable(eng.Unreachable())...)
		res.Findings = append(res.Findings, checkMounts(eng.Mounts())...)
	}

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
	var hooks []hookCall
	for _, f := range files {
		chunk, ok := chunks[f]
		if !ok {
			continue
		}
		res.Findings = append(res.Findings, checkGlobals(f, chunk, declared)...)
		regs := registrations(chunk)
		res.Findings = append(res.Findings, checkResponses(f, regs)...)
		for _, r := range regs {
			if r.kind == "not_found" || r.kind == "on_error" {
				hooks = append(hooks, hookCall{f, r.line, r.kind})
			}
		}
	}
	res.Findings = append(res.Findings, checkHooks(hooks)...)
	for i := range res.Findings {
		res.Findings[i].File = rel(res.Findings[i].File)
	}
	if res.Load != nil {
		res.Load.File = rel(res.Load.File)
	}
	res.Findings = dedupe(res.Findings)
	return res, nil
}

// builtinGlobals lists a fresh Lua state's globals: what a script that
// failed to load can rely on.
func builtinGlobals() []string {
	L := lua.NewState()
	defer L.Close()
	var names []string
	L.G.Global.ForEach(func(k, _ lua.LValue) { names = append(names, lua.LVAsString(k)) })
	return names
}

// splitWhere splits "file:line" as RouteInfo.Where has it.
func splitWhere(w string) (string, int) {
	i := strings.LastIndexByte(w, ':')
	if i < 0 {
		return w, 0
	}
	n, err := strconv.Atoi(w[i+1:])
	if err != nil {
		return w, 0
	}
	return w[:i], n
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
