package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/luaserve/luaserve/engine"
)

// Stamped at link time by scripts/release.sh and the Dockerfile:
//
//	-ldflags "-X main.commit=1a2b3c4d5e6f -X main.built=2026-01-02T03:04:05Z"
//
// (the version itself is engine.Version). A plain "go build" in a git
// checkout leaves them empty; the commit then comes from the build
// information Go records (vcs.revision).
var (
	commit string
	built  string
)

// version is the release number, as the banner shows it.
func version() string { return engine.Version }

// versionLine is what "luaserve version" prints: the release, the commit
// and build time when known, the Go version and the platform.
func versionLine() string {
	c, when := commit, built
	if info, ok := debug.ReadBuildInfo(); ok && c == "" {
		dirty := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				c = s.Value
			case "vcs.time":
				if when == "" {
					when = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(c) > 12 {
			c = c[:12]
		}
		if c != "" && dirty {
			c += "-dirty"
		}
	}
	if c == "" {
		c = "unknown"
	}
	line := fmt.Sprintf("luaserve %s (commit %s", version(), c)
	if when != "" {
		line += ", built " + when
	}
	return line + ", " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}

func versionCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("luaserve version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: luaserve version (or -version, --version)\n\nPrints the luaserve version, commit, Go version and platform.")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"version takes no arguments"}
	}
	fmt.Fprintln(stdout, versionLine())
	return nil
}
