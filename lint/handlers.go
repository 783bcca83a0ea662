package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/yuin/gopher-lua/ast"

	"github.com/luaserve/luaserve/internal/suggest"
	"github.com/luaserve/luaserve/lua/stdlib"

	"github.com/luaserve/luaserve/engine"
)

// registration is a call like app.get("/x", function(req) ... end) found in
// the source, where app holds require("luaserve").
type registration struct {
	kind    string // get, post, ..., any, route, use, not_found, on_error, on_status, static
	line    int
	handler *ast.FunctionExpr // nil when the handler is not a function literal
}

// handlerArg is the position of the handler among each registrar's
// arguments; -1 means the last one.
var handlerArg = map[string]int{
	"get": 1, "post": 1, "put": 1, "patch": 1, "delete": 1, "options": 1, "head": 1, "any": 1,
	"route": 2, "use": -1, "not_found": 0, "on_error": 0, "on_status": 0, "static": -2,
}

// registrations finds the registration calls in a chunk. It follows the
// names bound to require("luaserve") (local or global, anywhere); a module
// that receives app as a parameter is not followed.
func registrations(chunk []ast.Stmt) []registration {
	f := &regFinder{apps: map[string]bool{}}
	f.stmts(chunk)
	return f.regs
}

// regFinder walks a chunk in source order, so that a name is known to
// hold the app before the calls made through it.
type regFinder struct {
	apps map[string]bool // names bound to require("luaserve")
	regs []registration
}

func (f *regFinder) stmts(stmts []ast.Stmt) {
	for _, st := range stmts {
		switch st := st.(type) {
		case *ast.LocalAssignStmt:
			f.bind(st.Names, st.Exprs)
		case *ast.AssignStmt:
			names := make([]string, len(st.Lhs))
			for i, e := range st.Lhs {
				if id, ok := e.(*ast.IdentExpr); ok {
					names[i] = id.Value
				}
			}
			f.bind(names, st.Rhs)
		case *ast.FuncCallStmt:
			f.expr(st.Expr)
		case *ast.ReturnStmt:
			f.exprs(st.Exprs)
		default:
			f.blocks(st)
		}
	}
}

// blocks walks the statements nested in a block statement.
func (f *regFinder) blocks(st ast.Stmt) {
	switch st := st.(type) {
	case *ast.DoBlockStmt:
		f.stmts(st.Stmts)
	case *ast.WhileStmt:
		f.stmts(st.Stmts)
	case *ast.RepeatStmt:
		f.stmts(st.Stmts)
	case *ast.IfStmt:
		f.stmts(st.Then)
		f.stmts(st.Else)
	case *ast.NumberForStmt:
		f.stmts(st.Stmts)
	case *ast.GenericForStmt:
		f.stmts(st.Stmts)
	case *ast.FuncDefStmt:
		f.stmts(st.Func.Stmts)
	}
}

// bind notes the names assigned require("luaserve"), then walks the values.
func (f *regFinder) bind(names []string, exprs []ast.Expr) {
	for i, n := range names {
		if n != "" && i < len(exprs) && isRequireApp(exprs[i]) {
			f.apps[n] = true
		}
	}
	f.exprs(exprs)
}

func (f *regFinder) exprs(es []ast.Expr) {
	for _, e := range es {
		f.expr(e)
	}
}

func (f *regFinder) expr(e ast.Expr) {
	switch e := e.(type) {
	case *ast.FuncCallExpr:
		f.call(e)
		f.expr(e.Func)
		f.exprs(e.Args)
	case *ast.FunctionExpr:
		f.stmts(e.Stmts)
	case *ast.TableExpr:
		for _, fl := range e.Fields {
			f.expr(fl.Value)
		}
	}
}

// call records app.<registrar>(...) calls.
func (f *regFinder) call(e *ast.FuncCallExpr) {
	ag, ok := e.Func.(*ast.AttrGetExpr)
	if !ok {
		return
	}
	id, isID := ag.Object.(*ast.IdentExpr)
	key, isKey := ag.Key.(*ast.StringExpr)
	if !isID || !isKey || !f.apps[id.Value] {
		return
	}
	pos, ok := handlerArg[key.Value]
	if !ok {
		return
	}
	r := registration{kind: key.Value, line: e.Line()}
	if pos == -1 {
		pos = len(e.Args) - 1
	}
	if pos >= 0 && pos < len(e.Args) {
		r.handler, _ = e.Args[pos].(*ast.FunctionExpr)
	}
	f.regs = append(f.regs, r)
}

// isRequireApp reports whether e is require("luaserve") (or require "luaserve").
func isRequireApp(e ast.Expr) bool {
	call, ok := e.(*ast.FuncCallExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	fn, ok := call.Func.(*ast.IdentExpr)
	if !ok || fn.Value != "require" {
		return false
	}
	s, ok := call.Args[0].(*ast.StringExpr)
	return ok && s.Value == "luaserve"
}

// checkResponses reports returned table constructors with keys the server
// ignores, in handler function literals.
func checkResponses(file string, regs []registration) []Finding {
	known := map[string]bool{}
	for _, k := range engine.ResponseKeys() {
		known[k] = true
	}
	var out []Finding
	for _, r := range regs {
		if r.handler == nil || r.kind == "static" {
			continue
		}
		eachReturn(r.handler.Stmts, func(ret *ast.ReturnStmt) {
			if len(ret.Exprs) == 0 {
				return
			}
			t, ok := ret.Exprs[0].(*ast.TableExpr)
			if !ok {
				return
			}
			for _, f := range t.Fields {
				k, ok := f.Key.(*ast.StringExpr)
				if !ok || known[k.Value] {
					continue
				}
				line := t.Line()
				if f.Value != nil && f.Value.Line() > 0 {
					line = f.Value.Line()
				}
				msg := fmt.Sprintf("response table key %q is not one the server knows; it is ignored", k.Value)
				if s := closest(k.Value, known); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				} else {
					msg += " (known: " + strings.Join(engine.ResponseKeys(), ", ") + ")"
				}
				out = append(out, Finding{stdlib.Place{File: file, Line: line}, msg})
			}
		})
	}
	return out
}

// eachReturn calls fn for the return statements of a function body, not
// those of functions nested in it.
func eachReturn(stmts []ast.Stmt, fn func(*ast.ReturnStmt)) {
	for _, st := range stmts {
		switch st := st.(type) {
		case *ast.ReturnStmt:
			fn(st)
		case *ast.DoBlockStmt:
			eachReturn(st.Stmts, fn)
		case *ast.WhileStmt:
			eachReturn(st.Stmts, fn)
		case *ast.RepeatStmt:
			eachReturn(st.Stmts, fn)
		case *ast.IfStmt:
			eachReturn(st.Then, fn)
			eachReturn(st.Else, fn)
		case *ast.NumberForStmt:
			eachReturn(st.Stmts, fn)
		case *ast.GenericForStmt:
			eachReturn(st.Stmts, fn)
		}
	}
}

// closest returns the known key within edit distance 2 of k, if one is.
func closest(k string, known map[string]bool) string {
	keys := make([]string, 0, len(known))
	for c := range known {
		keys = append(keys, c)
	}
	sort.Strings(keys)
	return suggest.Closest(k, keys)
}

type hookCall struct {
	at   stdlib.Place
	kind string
}

// checkHooks reports app.not_found, app.on_error and app.on_status registered more than
// once: each call replaces the previous handler, which never runs.
func checkHooks(calls []hookCall) []Finding {
	var out []Finding
	last := map[string]hookCall{}
	for _, c := range calls {
		if prev, ok := last[c.kind]; ok {
			msg := "app.%s is called again at %s, which replaces this handler: it never runs"
			if prev.at.File != c.at.File {
				msg = "app.%s is also called at %s: each call replaces the handler, so only one of them runs"
			}
			there := stdlib.Place{File: rel(c.at.File), Line: c.at.Line}
			out = append(out, Finding{prev.at, fmt.Sprintf(msg, c.kind, there)})
		}
		last[c.kind] = c
	}
	return out
}
