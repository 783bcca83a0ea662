package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/luaserve/luaserve/engine"
)

// console writes serve's own lines to stdout: the start-up banner with the
// route table, what -watch watches, the shutdown. With -log-format json
// each is one JSON object a line, like the access log beside it, so that a
// log collector never meets a line of plain text.
type console struct {
	w    io.Writer
	json *slog.Logger // nil in text mode
}

func newConsole(format string, w io.Writer) *console {
	c := &console{w: w}
	if format == "json" {
		c.json = slog.New(slog.NewJSONHandler(w, nil))
	}
	return c
}

// started announces the server: what it serves, where, and its routes.
func (c *console) started(script, url string, routes []engine.RouteInfo) {
	name := script
	if name == "" {
		name = "the embedded examples/routes.lua"
	}
	if c.json == nil {
		fmt.Fprintf(c.w, "luaserve %s serving %s on %s\n", version(), name, url)
		printRoutes(c.w, "  ", routes)
		return
	}
	list := make([]any, len(routes))
	for i, r := range routes {
		list[i] = map[string]string{"method": r.Method, "pattern": r.Pattern, "where": r.Where.String()}
	}
	c.json.Info("luaserve serving", "version", version(), "script", name, "url", url, "routes", list)
}

// watching says which files -watch reloads on.
func (c *console) watching(files []string) {
	if c.json == nil {
		fmt.Fprintf(c.w, "watching %s for changes (-watch)\n", strings.Join(files, ", "))
		return
	}
	c.json.Info("watching for changes (-watch)", "files", files)
}

// note is a line of its own: text as it is, or a JSON message.
func (c *console) note(msg string) {
	if c.json == nil {
		fmt.Fprintln(c.w, msg)
		return
	}
	c.json.Info(msg)
}
