// Package scaffold writes the starter project of "luaserve init": routes,
// a test file, the editor definitions (package editor) and the editor,
// luacheck and git configuration. What it writes passes "luaserve check"
// and "luaserve test" as written (TestInitThenCheckAndTest).
package scaffold

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/luaserve/luaserve/editor"
	"github.com/luaserve/luaserve/luatest"
)

//go:embed starter
var starter embed.FS

// TypesDir is the folder of the editor definitions in a project, named
// in .luarc.json's workspace.library.
const TypesDir = "types"

// files maps a project file to its source in starter/ (dot files are
// stored without their dot, which go:embed would skip).
var files = []struct{ name, src string }{
	{"routes.lua", "routes.lua"},
	{"routes_test.lua", "routes_test.lua"},
	{".luarc.json", "luarc.json"},
	{".luacheckrc", "luacheckrc"},
	{".gitignore", "gitignore"},
}

// Result says what Init did, with paths relative to the folder.
type Result struct {
	Written []string
	Kept    []string // files that existed: left as they were
}

// Init writes the starter project into dir, creating it. A file that
// exists is kept (and listed in Kept), except the definitions under
// TypesDir, which belong to this luaserve version and are replaced.
func Init(dir string) (*Result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	res := &Result{}
	for _, f := range files {
		data, err := fs.ReadFile(starter, "starter/"+f.src)
		if err != nil {
			return nil, err
		}
		if f.name == ".luacheckrc" {
			data = []byte(strings.Replace(string(data), "TEST_GLOBALS", luacheckList(luatest.Globals()), 1))
		}
		path := filepath.Join(dir, f.name)
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			res.Kept = append(res.Kept, f.name)
			continue
		}
		if err != nil {
			return nil, err
		}
		_, err = out.Write(data)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		res.Written = append(res.Written, f.name)
	}
	types, err := editor.WriteLibrary(filepath.Join(dir, TypesDir))
	if err != nil {
		return nil, err
	}
	res.Written = append(res.Written, types...)
	return res, nil
}

// luacheckList is names as the inside of a Lua list of strings.
func luacheckList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
