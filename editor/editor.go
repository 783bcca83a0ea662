// Package editor holds the lua-language-server definitions of luaserve's
// Lua API (files with ---@meta, embedded in the binary): library/luaserve/
// has one file per module (init.lua is require("luaserve") with the
// request and response types), library/luaserve-test.lua the globals of a
// test file. "luaserve init" writes them into a project; an editor finds
// them through .luarc.json's workspace.library. The server never loads
// them.
//
// Adding a module: write library/luaserve/<name>.lua for luaserve.<name>
// (TestEveryModuleDefined fails until every field of its table is there).
package editor

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:embed library
var library embed.FS

// Library is the definitions, rooted at the folder to list in
// workspace.library: luaserve/init.lua, luaserve/json.lua, ...,
// luaserve-test.lua.
func Library() fs.FS {
	sub, err := fs.Sub(library, "library")
	if err != nil {
		panic(err) // the embedded folder is always there
	}
	return sub
}

// ModuleFile is the definition file of the module require(name) loads,
// within Library: "luaserve" is luaserve/init.lua, "luaserve.json"
// luaserve/json.lua.
func ModuleFile(name string) string {
	if name == "luaserve" {
		return "luaserve/init.lua"
	}
	return strings.ReplaceAll(name, ".", "/") + ".lua"
}

// WriteLibrary writes the definitions under dir (creating it), replacing
// older copies, and returns the paths written, relative to dir.
func WriteLibrary(dir string) ([]string, error) {
	var written []string
	err := fs.WalkDir(Library(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(Library(), path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
		written = append(written, filepath.Join(filepath.Base(dir), filepath.FromSlash(path)))
		return nil
	})
	return written, err
}
