// Command luaserve serves HTTP routes written in Lua.
//
//	luaserve [flags] [script.lua]
//
// With no script it serves the embedded examples/routes.lua. Every flag can
// also come from an environment variable: -max-body is LUASERVE_MAX_BODY.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "luaserve:", err)
		}
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a command line that makes no sense (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the whole command, minus process concerns, so that tests can call
// it. It returns when ctx ends (after a graceful shutdown) or on error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "version":
			fmt.Fprintln(stdout, "luaserve", version())
			return nil
		}
	}
	return serve(ctx, args, stdout, stderr)
}
