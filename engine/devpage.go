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
	source    []byte // the file's text, when it could be read
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
	h := w.Header()
	h.Reset()
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if bytes.Contains(r.Header.Get("Accept"), []byte("text/html")) {
		h.Set("Content-Type", ctHTML)
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
		b.WriteByte('\n')
	}
	return b.String()
}

func (d *devError) html() string {
	var b strings.Builder
	b.WriteString(`<!doctype html>
<meta charset="utf-8">
<title>` + html.EscapeString(d.title) + `</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222 }
h1 { font-size: 1.3rem; color: #b00020 }
.msg { font: 1rem ui-monospace, monospace; background: #fdecea; padding: .75rem 1rem; border-radius: 4px; white-space: pre-wrap }
pre { background: #f6f8fa; padding: .75rem 0; border-radius: 4px; overflow-x: auto; font-size: 13px }
pre span { display: block; padding: 0 1rem }
.hl { background: #ffe08a }
.no { color: #888; user-select: none }
footer { color: #888; font-size: 13px }
</style>
<h1>` + html.EscapeString(d.title) + `</h1>
<p class="msg">` + html.EscapeString(d.message) + `</p>
`)
	if first, lines := d.excerpt(); lines != nil {
		fmt.Fprintf(&b, "<h2>%s, line %d</h2>\n<pre>", html.EscapeString(d.file), d.line)
		for i, l := range lines {
			class := ""
			if first+i == d.line {
				class = ` class="hl"`
			}
			fmt.Fprintf(&b, `<span%s><span class="no">%4d </span>%s</span>`, class, first+i, html.EscapeString(l))
		}
		b.WriteString("</pre>\n")
	}
	if d.traceback != "" {
		b.WriteString("<h2>Traceback</h2>\n<pre><span>" + html.EscapeString(d.traceback) + "</span></pre>\n")
	}
	b.WriteString("<footer>luaserve -dev: this page is never shown without -dev.</footer>\n")
	return b.String()
}
