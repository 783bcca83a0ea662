package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/luaserve/luaserve"

// luaSide are the packages that may import gopher-lua (and gopher-luar):
// the engine, the Lua modules, and the tools that run Lua.
func luaSide(pkg string) bool {
	return pkg == module+"/engine" || pkg == module+"/lint" || pkg == module+"/luatest" ||
		strings.HasPrefix(pkg, module+"/lua/")
}

func isLua(pkg string) bool {
	return strings.HasPrefix(pkg, "github.com/yuin/gopher-lua") || strings.HasPrefix(pkg, "layeh.com/gopher-luar")
}

// goList runs go list in the module's root and returns its output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	cmd := exec.Command(goBin, append([]string{"list"}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestLuaStaysOnTheLuaSide: the HTTP core, the file server, the store and
// every other package outside the Lua side neither import gopher-lua nor
// depend on it through another package.
func TestLuaStaysOnTheLuaSide(t *testing.T) {
	t.Parallel()
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...") {
		pkg, imports, _ := strings.Cut(line, " ")
		for _, imp := range strings.Fields(imports) {
			if isLua(imp) && !luaSide(pkg) {
				t.Errorf("%s imports %s; only the Lua side (engine, lua/..., lint, luatest) may", pkg, imp)
			}
		}
	}
	for _, pkg := range []string{"./httpcore", "./fileserver", "./store", "./outbound", "./metrics", "./websocket", "./pubsub", "./internal/..."} {
		for _, dep := range goList(t, "-deps", pkg) {
			if isLua(dep) {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}

// TestEngineAPIHasNoLuaTypes: nothing the engine exports names a gopher-lua
// type, so no Lua value crosses into the packages that use it (cmd,
// reload): the exported functions, methods, types and fields are read
// from the source.
func TestEngineAPIHasNoLuaTypes(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files, _ := filepath.Glob("../engine/*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			for _, n := range exportedParts(d) {
				ast.Inspect(n, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
						if id, ok := sel.X.(*ast.Ident); ok && (id.Name == "lua" || id.Name == "luar") {
							t.Errorf("%s: exported API names %s.%s", fset.Position(sel.Pos()), id.Name, sel.Sel.Name)
						}
					}
					return true
				})
			}
		}
	}
}

// exportedParts returns the signature of an exported function or method
// (of an exported type), and the exported types with their exported fields.
func exportedParts(d ast.Decl) []ast.Node {
	var out []ast.Node
	switch d := d.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() {
			return nil
		}
		if d.Recv != nil {
			recv := d.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); !ok || !id.IsExported() {
				return nil
			}
		}
		out = append(out, d.Type)
	case *ast.GenDecl:
		for _, s := range d.Specs {
			ts, ok := s.(*ast.TypeSpec)
			if !ok || !ts.Name.IsExported() {
				continue
			}
			st, isStruct := ts.Type.(*ast.StructType)
			if !isStruct {
				out = append(out, ts.Type)
				continue
			}
			for _, f := range st.Fields.List {
				if len(f.Names) == 0 || f.Names[0].IsExported() {
					out = append(out, f.Type)
				}
			}
		}
	}
	return out
}
