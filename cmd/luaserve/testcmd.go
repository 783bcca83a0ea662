package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"time"

	"github.com/luaserve/luaserve/luatest"
)

// testCmd is "luaserve test [flags] [files or folders]": it runs Lua test
// files against the routes, in process. Exit status 1 when a test fails.
func testCmd(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("luaserve test", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var cfg luatest.Config
	var run string
	fset.StringVar(&cfg.Script, "script", "", "the routes script to test (default: found per test file, see below)")
	fset.StringVar(&run, "run", "", "run only the tests whose names match this regular expression")
	fset.BoolVar(&cfg.Verbose, "v", false, "also show the server log of passing tests")
	fset.BoolVar(&cfg.Dev, "dev", false, "load the routes in development mode (tracebacks in 500 bodies, warnings)")
	fset.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "time limit for one request")
	fset.StringVar(&cfg.DB, "db", "", "luaserve.db's database: in-memory SQLite (default), or postgres://..., "+
		"where each test file gets a schema of its own, dropped at the end")
	fset.StringVar(&cfg.Store, "store", "memory", "the shared store: memory (default), or redis://host:port/db, "+
		"where each test file gets a key prefix of its own, emptied at the end")
	fset.Usage = func() {
		fmt.Fprint(stderr, `Usage: luaserve test [flags] [files or folders]

Runs Lua test files (*_test.lua; folders are searched recursively, default
the current folder) against the routes, in process, without a network. Each
test file tests the script named by -script, else by a "-- luaserve: path"
comment in its first lines, else by its own name minus "_test"
(routes_test.lua tests routes.lua), else routes.lua beside it.

Prints one line per test and "N passed, N failed"; exit status 1 when a test
fails, 2 on a usage error.

Flags:
`)
		fset.PrintDefaults()
	}
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if run != "" {
		re, err := regexp.Compile(run)
		if err != nil {
			return usageError{fmt.Sprintf("-run: %v", err)}
		}
		cfg.Run = re
	}
	cfg.Out = stdout
	sum, err := luatest.Run(cfg, fset.Args())
	if err != nil {
		if errors.Is(err, luatest.ErrNoTests) || errors.Is(err, fs.ErrNotExist) {
			return usageError{err.Error()}
		}
		return err
	}
	if sum.Failed > 0 {
		return exitCode(1)
	}
	return nil
}
