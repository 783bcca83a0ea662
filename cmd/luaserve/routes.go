package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/session"
)

// routesCmd is "luaserve routes script.lua": the route table, one route a
// line: method, pattern, where it is registered.
func routesCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("luaserve routes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: luaserve routes script.lua

Loads the script without serving and prints its routes in registration
order: method (ANY for app.any), pattern, and the file:line that registered
it. app.static mounts are listed as GET prefix*.
`)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"routes takes one script: luaserve routes script.lua"}
	}
	eng, err := engine.New(engine.Config{Script: fs.Arg(0), Workers: 1, SessionSecrets: []string{session.RandomSecret()},
		Log: slog.New(slog.NewTextHandler(stderr, nil))})
	if err != nil {
		return scriptError(err)
	}
	defer eng.Close()
	printRoutes(stdout, "", eng.Routes())
	return nil
}
