package engine

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"os"
	"strconv"
	"strings"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
)

// The -dev error page. It is shown only with Config.Dev (route errors) or
// by the reloader in -dev (a script that failed to reload): production
// responses never carry source code or tracebacks.

// devContext is how many source lines the page shows on each side of the
// failing line.
const devContext = 5

// devError is what the page shows: where the error happened, what it says,
// and the Lua traceback when there is one.
type devError struct {
	title     string // "500 Internal Server Error"
	message   string // "GET /boom: routes.lua:3: custom failure"
	file      string // "" when unknown
	line      int
	traceback string
	route     string // "GET /users/:id"; "" when the error is not a route's
	source    []byte // the file's text, when it could be read
	req       devRequest
}

// writeDevError answers a failed route in -dev: see WriteDevError. The
// embedded script's text comes from Config.Source.
func (e *Engine) writeDevError(w *httpcore.ResponseWriter, r *httpcore.Request, code int, err error) {
	d := newDevError(code, err)
	if d.file != "" && d.file == e.cfg.Script && e.cfg.Source != nil {
		d.source = e.cfg.Source
	}
	d.write(w, r, code)
}

// WriteDevError answers r with a readable account of err for a developer:
// an HTML page for browsers (requests that accept text/html), plain text
// otherwise, with the message, the file and line, the source lines around
// it and the traceback. err is typically a *LoadError (a script that failed
// to load) or a *ScriptError. Use it only in development mode.
func WriteDevError(w *httpcore.ResponseWriter, r *httpcore.Request, code int, err error) {
	newDevError(code, err).write(w, r, code)
}

func newDevError(code int, err error) *devError {
	d := &devError{title: strconv.Itoa(code) + " " + httpcore.StatusText(code), message: err.Error()}
	var at stdlib.Place
	var le *LoadError
	var se *ScriptError
	switch {
	case errors.As(err, &le):
		d.title = "The script failed to load"
		at = le.Place
		// "lib/x.lua:7: ..." inside the message: a module that failed, the
		// more useful place to show.
		if in, _, ok := stdlib.SplitMessage(le.Msg); ok {
			at = in
		}
	case errors.As(err, &se):
		d.traceback = se.Traceback
		if se.Route != "(no route)" {
			d.route = se.Route
		}
		at = se.Place
		if at.File == "" {
			at = firstFrame(se.Traceback)
		}
	}
	d.file, d.line = at.File, at.Line
	return d
}

// firstFrame finds the first "file.lua:line:" in a traceback.
func firstFrame(tb string) stdlib.Place {
	for _, l := range strings.Split(tb, "\n") {
		if p, _, ok := stdlib.SplitMessage(strings.TrimSpace(l)); ok {
			return p
		}
	}
	return stdlib.Place{}
}

// excerpt returns the lines around d.line as (number, text) pairs.
func (d *devError) excerpt() (first int, lines []string) {
	if d.file == "" || d.line <= 0 {
		return 0, nil
	}
	src := d.source
	if src == nil {
		var err error
		if src, err = os.ReadFile(d.file); err != nil {
			return 0, nil
		}
	}
	all := strings.Split(string(bytes.TrimRight(src, "\n")), "\n")
	if d.line > len(all) {
		return 0, nil
	}
	lo, hi := max(1, d.line-devContext), min(len(all), d.line+devContext)
	return lo, all[lo-1 : hi]
}

func (d *devError) write(w *httpcore.ResponseWriter, r *httpcore.Request, code int) {
	d.req = newDevRequest(r)
	h := w.Header()
	h.Reset()
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if bytes.Contains(r.Header.Get("Accept"), []byte("text/html")) {
		h.Set("Content-Type", ctHTML)
		// The page is all escaped text: no script, frame or remote load.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		writeBody(w, d.html())
		return
	}
	h.Set("Content-Type", ctText)
	writeBody(w, d.text())
}

// text is the page for curl and other non-browser clients.
func (d *devError) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\n", d.title, d.message)
	if d.route != "" {
		fmt.Fprintf(&b, "route: %s\n\n", d.route)
	}
	if first, lines := d.excerpt(); lines != nil {
		fmt.Fprintf(&b, "%s:\n", d.file)
		for i, l := range lines {
			mark := "  "
			if first+i == d.line {
				mark = "> "
			}
			fmt.Fprintf(&b, "%s%4d | %s\n", mark, first+i, l)
		}
		b.WriteByte('\n')
	}
	if d.traceback != "" {
		b.WriteString(d.traceback)
		b.WriteString("\n\n")
	}
	d.req.text(&b)
	return b.String()
}

// devStyle lays the page out. Each source line is a flex row of its number
// and its code, so that the number can never wrap onto a row of its own.
const devStyle = `<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222 }
h1 { font-size: 1.3rem; color: #b00020 }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; overflow-wrap: anywhere }
code, pre, .src { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace }
.msg { font: 1rem ui-monospace, monospace; background: #fdecea; padding: .75rem 1rem; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere }
.src, .tb { background: #f6f8fa; padding: .75rem 0; border-radius: 4px; overflow-x: auto; font-size: 13px; line-height: 1.5 }
.tb { padding: .75rem 1rem; margin: 0 }
.line { display: flex; padding: 0 1rem; min-width: max-content }
.line.hl { background: #ffe08a }
.line .no { flex: none; width: 5ch; padding-right: 1.5ch; text-align: right; color: #888; user-select: none }
.line code { white-space: pre; font: inherit }
table.kv { border-collapse: collapse; font-size: 14px; width: 100% }
.kv th, .kv td { text-align: left; vertical-align: top; padding: .2rem .75rem .2rem 0; border-bottom: 1px solid #eee }
.kv th { font-weight: 600; white-space: nowrap; width: 1% }
.kv td { font-family: ui-monospace, monospace; overflow-wrap: anywhere }
.masked { color: #888 }
@media (max-width: 40rem) { body { margin: 1rem auto } .kv th { white-space: normal; width: 35%; overflow-wrap: anywhere } }
footer { color: #888; font-size: 13px; margin-top: 2rem }
</style>
`

func (d *devError) html() string {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + html.EscapeString(d.title) + "</title>\n")
	b.WriteString(devStyle)
	b.WriteString("<h1>" + html.EscapeString(d.title) + "</h1>\n<p class=\"msg\">" + html.EscapeString(d.message) + "</p>\n")
	if d.route != "" {
		b.WriteString("<p>Route <code class=\"route\">" + html.EscapeString(d.route) + "</code></p>\n")
	}
	if first, lines := d.excerpt(); lines != nil {
		fmt.Fprintf(&b, "<h2>%s, line %d</h2>\n<div class=\"src\">\n", html.EscapeString(d.file), d.line)
		for i, l := range lines {
			class := "line"
			if first+i == d.line {
				class = "line hl"
			}
			fmt.Fprintf(&b, "<div class=\"%s\"><span class=\"no\">%d</span><code>%s</code></div>\n", class, first+i, html.EscapeString(l))
		}
		b.WriteString("</div>\n")
	}
	if d.traceback != "" {
		b.WriteString("<h2>Traceback</h2>\n<pre class=\"tb\">" + html.EscapeString(d.traceback) + "</pre>\n")
	}
	d.req.html(&b)
	b.WriteString("<footer>luaserve -dev: this page is never shown without -dev.</footer>\n")
	return b.String()
}
