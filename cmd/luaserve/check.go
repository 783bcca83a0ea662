package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"

	"github.com/luaserve/luaserve/lint"
)

// checkCmd is "luaserve check script.lua": it loads the script without
// serving and prints one "file:line: message" line per problem (nothing
// when there is none). Exit status 1 when anything is reported.
func checkCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("luaserve check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: luaserve check script.lua | file_test.lua

Compiles and loads the script (and the modules it requires) as the server
would, without serving, then looks for what loads but is surely a bug:
assignments to undeclared globals inside functions, reads of globals that
do not exist (a misspelt name), response tables with
keys the server ignores, routes and mounts that can never be reached, and
route patterns that cannot match what they say. Prints "file:line: message"
per problem, nothing when there is none; exit status 1 if anything is reported.
A test file is linted without being run, with the test globals declared.
`)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"check takes one script: luaserve check script.lua"}
	}
	res, err := lint.Check(fs.Arg(0))
	if err != nil {
		return scriptError(err)
	}
	all := res.All()
	for _, f := range all {
		fmt.Fprintln(stdout, f)
	}
	if len(all) > 0 {
		return exitCode(1)
	}
	return nil
}

// scriptError turns a script that cannot be read into a usage error.
func scriptError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return usageError{err.Error()}
	}
	return err
}
