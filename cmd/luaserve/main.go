// Command luaserve serves HTTP routes written in Lua.
//
//	luaserve [flags] [script.lua]         serve (the embedded example without a script)
//	luaserve check [-h] script.lua         load and lint without serving
//	luaserve routes [-h] script.lua        print the route table
//	luaserve test [flags] [files|folders]  run *_test.lua files against the routes
//	luaserve init [folder]                 write a starter project
//	luaserve copy-db FILE.db postgres://…  move a SQLite database into PostgreSQL
//	luaserve version                       also -version and --version
//	luaserve health [url]                  probe a running server (Docker HEALTHCHECK)
//
// Every serve flag can also come from an environment variable: -max-body is
// LUASERVE_MAX_BODY. Exit status: 0 on success, 1 on failure (a script that
// does not load, a check finding, a failing test), 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultGOGC is the garbage collector's target when GOGC is not set. Lua
// tables make a request allocate a few dozen small objects while the live
// heap (the Lua states) stays small, so at Go's default of 100 the
// collector runs very often; at 400 a JSON route costs about 10% fewer
// instructions (bench/instructions.sh) for a few MiB more heap. While
// serving, -min-heap (gcpace) raises it further when the live heap is small.
const defaultGOGC = 400

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGOGC)
	}
	raiseProcs()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(exitStatus(err, os.Stderr))
}

// exitStatus reports err (unless it was reported already) and returns the
// process's exit status.
func exitStatus(err error, stderr io.Writer) int {
	var ec exitCode
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ec):
		return int(ec)
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "luaserve:", err)
		return 2
	}
	fmt.Fprintln(stderr, "luaserve:", err)
	return 1
}

// usageError is a command line that makes no sense (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCode ends the command with that status, its output already written
// (a check finding, a failing test).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run is the whole command, minus process concerns, so that tests can call
// it. Serving returns when ctx ends (after a graceful shutdown) or on error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "version", "-version", "--version":
			return versionCmd(args[1:], stdout, stderr)
		case "health":
			return healthCmd(args[1:], stdout, stderr)
		case "check":
			return checkCmd(args[1:], stdout, stderr)
		case "routes":
			return routesCmd(args[1:], stdout, stderr)
		case "test":
			return testCmd(args[1:], stdout, stderr)
		case "init":
			return initCmd(args[1:], stdout, stderr)
		case "copy-db":
			return copyDBCmd(args[1:], stdout, stderr)
		case "help":
			newFlagSet(&options{}, stderr).Usage()
			return nil
		}
	}
	return serve(ctx, args, stdout, stderr)
}
