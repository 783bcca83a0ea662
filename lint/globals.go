package lint

import (
	"fmt"

	"github.com/yuin/gopher-lua/ast"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// topLevelGlobals adds to declared the globals a chunk assigns outside
// any function: they exist once the script has loaded.
func topLevelGlobals(chunk []ast.Stmt, declared map[string]bool) {
	locals := &scope{}
	var walk func(stmts []ast.Stmt, s *scope)
	walk = func(stmts []ast.Stmt, s *scope) {
		for _, st := range stmts {
			switch st := st.(type) {
			case *ast.LocalAssignStmt:
				for _, n := range st.Names {
					s.add(n)
				}
			case *ast.AssignStmt:
				for _, e := range st.Lhs {
					if id, ok := e.(*ast.IdentExpr); ok && !s.has(id.Value) {
						declared[id.Value] = true
					}
				}
			case *ast.FuncDefStmt:
				if id, ok := st.Name.Func.(*ast.IdentExpr); ok && st.Name.Method == "" && !s.has(id.Value) {
					declared[id.Value] = true
				}
			case *ast.DoBlockStmt:
				walk(st.Stmts, s.child())
			case *ast.WhileStmt:
				walk(st.Stmts, s.child())
			case *ast.RepeatStmt:
				walk(st.Stmts, s.child())
			case *ast.IfStmt:
				walk(st.Then, s.child())
				walk(st.Else, s.child())
			case *ast.NumberForStmt:
				c := s.child()
				c.add(st.Name)
				walk(st.Stmts, c)
			case *ast.GenericForStmt:
				c := s.child()
				for _, n := range st.Names {
					c.add(n)
				}
				walk(st.Stmts, c)
			}
		}
	}
	walk(chunk, locals)
}

// scope is a block's local names, chained to the enclosing block's.
type scope struct {
	names  map[string]bool
	parent *scope
}

func (s *scope) child() *scope { return &scope{parent: s} }

func (s *scope) add(name string) {
	if s.names == nil {
		s.names = map[string]bool{}
	}
	s.names[name] = true
}

func (s *scope) has(name string) bool {
	for ; s != nil; s = s.parent {
		if s.names[name] {
			return true
		}
	}
	return false
}

// globalsChecker reports assignments to undeclared globals inside function
// bodies, and reads of undeclared globals anywhere.
type globalsChecker struct {
	file     string
	declared map[string]bool
	out      []Finding
}

func checkGlobals(file string, chunk []ast.Stmt, declared map[string]bool) []Finding {
	c := &globalsChecker{file: file, declared: declared}
	c.block(chunk, &scope{}, false)
	return c.out
}

// read reports a name read that is neither a local in scope nor a global
// that exists: it is nil, almost always a typo ("reqq.query").
func (c *globalsChecker) read(id *ast.IdentExpr, s *scope) {
	if s.has(id.Value) || c.declared[id.Value] {
		return
	}
	c.out = append(c.out, Finding{stdlib.Place{File: c.file, Line: id.Line()}, fmt.Sprintf(
		"read of undeclared global '%s': it is nil (a misspelt name, or a missing local or require?)", id.Value)})
}

func (c *globalsChecker) assign(name string, line int, s *scope, inFunc bool) {
	if !inFunc || s.has(name) || c.declared[name] {
		return
	}
	c.out = append(c.out, Finding{stdlib.Place{File: c.file, Line: line}, fmt.Sprintf(
		"assignment to undeclared global '%s' inside a function: it fails when the function runs (missing 'local'?)", name)})
}

func (c *globalsChecker) block(stmts []ast.Stmt, s *scope, inFunc bool) {
	for _, st := range stmts {
		switch st := st.(type) {
		case *ast.LocalAssignStmt:
			c.local(st, s, inFunc)
		case *ast.AssignStmt:
			for _, e := range st.Rhs {
				c.expr(e, s, inFunc)
			}
			for _, e := range st.Lhs {
				if id, ok := e.(*ast.IdentExpr); ok {
					c.assign(id.Value, id.Line(), s, inFunc)
				} else {
					c.expr(e, s, inFunc)
				}
			}
		case *ast.FuncCallStmt:
			c.expr(st.Expr, s, inFunc)
		case *ast.FuncDefStmt:
			if id, ok := st.Name.Func.(*ast.IdentExpr); ok && st.Name.Method == "" {
				c.assign(id.Value, st.Line(), s, inFunc)
			} else {
				c.expr(st.Name.Func, s, inFunc) // function M.f(): reads M
				c.expr(st.Name.Receiver, s, inFunc)
			}
			inner := s.child()
			if st.Name.Method != "" {
				inner.add("self")
			}
			c.function(st.Func, inner)
		case *ast.ReturnStmt:
			for _, e := range st.Exprs {
				c.expr(e, s, inFunc)
			}
		default:
			c.nested(st, s, inFunc)
		}
	}
}

// local checks a local statement; "local function f" is one whose body
// sees f.
func (c *globalsChecker) local(st *ast.LocalAssignStmt, s *scope, inFunc bool) {
	for i, e := range st.Exprs {
		if fn, ok := e.(*ast.FunctionExpr); ok && len(st.Exprs) == len(st.Names) {
			inner := s.child()
			inner.add(st.Names[i])
			c.function(fn, inner)
			continue
		}
		c.expr(e, s, inFunc)
	}
	for _, n := range st.Names {
		s.add(n)
	}
}

// nested checks the statements with a block of their own: loops, if, do.
func (c *globalsChecker) nested(st ast.Stmt, s *scope, inFunc bool) {
	switch st := st.(type) {
	case *ast.DoBlockStmt:
		c.block(st.Stmts, s.child(), inFunc)
	case *ast.WhileStmt:
		c.expr(st.Condition, s, inFunc)
		c.block(st.Stmts, s.child(), inFunc)
	case *ast.RepeatStmt:
		inner := s.child()
		c.block(st.Stmts, inner, inFunc)
		c.expr(st.Condition, inner, inFunc)
	case *ast.IfStmt:
		c.expr(st.Condition, s, inFunc)
		c.block(st.Then, s.child(), inFunc)
		c.block(st.Else, s.child(), inFunc)
	case *ast.NumberForStmt:
		c.expr(st.Init, s, inFunc)
		c.expr(st.Limit, s, inFunc)
		c.expr(st.Step, s, inFunc)
		inner := s.child()
		inner.add(st.Name)
		c.block(st.Stmts, inner, inFunc)
	case *ast.GenericForStmt:
		for _, e := range st.Exprs {
			c.expr(e, s, inFunc)
		}
		inner := s.child()
		for _, n := range st.Names {
			inner.add(n)
		}
		c.block(st.Stmts, inner, inFunc)
	}
}

// function checks a function body; s already holds what the body sees
// besides its parameters.
func (c *globalsChecker) function(fn *ast.FunctionExpr, s *scope) {
	inner := s.child()
	if fn.ParList != nil {
		for _, n := range fn.ParList.Names {
			inner.add(n)
		}
	}
	c.block(fn.Stmts, inner, true)
}

// expr checks the names e reads and the function expressions (route
// handlers) inside it.
func (c *globalsChecker) expr(e ast.Expr, s *scope, inFunc bool) {
	switch e := e.(type) {
	case *ast.IdentExpr:
		c.read(e, s)
	case *ast.FunctionExpr:
		c.function(e, s)
	case *ast.FuncCallExpr:
		c.expr(e.Func, s, inFunc)
		c.expr(e.Receiver, s, inFunc)
		for _, a := range e.Args {
			c.expr(a, s, inFunc)
		}
	case *ast.AttrGetExpr:
		c.expr(e.Object, s, inFunc)
		c.expr(e.Key, s, inFunc)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			c.expr(f.Key, s, inFunc)
			c.expr(f.Value, s, inFunc)
		}
	case *ast.LogicalOpExpr:
		c.expr(e.Lhs, s, inFunc)
		c.expr(e.Rhs, s, inFunc)
	case *ast.RelationalOpExpr:
		c.expr(e.Lhs, s, inFunc)
		c.expr(e.Rhs, s, inFunc)
	case *ast.StringConcatOpExpr:
		c.expr(e.Lhs, s, inFunc)
		c.expr(e.Rhs, s, inFunc)
	case *ast.ArithmeticOpExpr:
		c.expr(e.Lhs, s, inFunc)
		c.expr(e.Rhs, s, inFunc)
	case *ast.UnaryMinusOpExpr:
		c.expr(e.Expr, s, inFunc)
	case *ast.UnaryNotOpExpr:
		c.expr(e.Expr, s, inFunc)
	case *ast.UnaryLenOpExpr:
		c.expr(e.Expr, s, inFunc)
	}
}
