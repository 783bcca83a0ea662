package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/luaserve/luaserve/scaffold"
)

// initCmd is "luaserve init [folder]": it writes a starter project (see
// package scaffold) into folder, "." by default, keeping files that exist.
func initCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("luaserve init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: luaserve init [folder]

Writes a starter project into folder (default: the current folder): routes.lua,
routes_test.lua, the lua-language-server definitions of luaserve's Lua API in
types/, .luarc.json (so the editor finds them), .luacheckrc (the test globals)
and .gitignore. Files that exist are kept; the definitions are replaced.
`)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{"init takes at most one folder: luaserve init [folder]"}
	}
	dir := "."
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	res, err := scaffold.Init(dir)
	if err != nil {
		return err
	}
	for _, f := range res.Written {
		fmt.Fprintln(stdout, "wrote", filepath.Join(dir, f))
	}
	for _, f := range res.Kept {
		fmt.Fprintln(stdout, "kept", filepath.Join(dir, f), "(it exists)")
	}
	fmt.Fprintf(stdout, "\nnext: cd %s && luaserve test && luaserve -dev routes.lua\n", dir)
	return nil
}
