// Package template is luaserve.template: HTML pages from template files
// below the script's folder, a thin binding over Go's html/template.
//
//	template.render(name, data [, options]) -> string   raises on error
//	template.raw(s) -> value                            s, unescaped
//
// options.layout names a template executed in place of name, whose
// {{block}}s name's {{define}}s fill. A {{template "x.html" .}} naming a
// file loads it (a partial). Escaping is html/template's: contextual, on
// for every value; only a template.raw value is inserted as HTML as is.
// Data converts to Go values: tables with string keys to maps, sequences
// to lists, json.null to nil.
package template

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// MaxOutput bounds one page. html/template cannot be stopped mid-run, so
// the output writer is where a run is stopped: past this size, past the
// request's time limit, or past its memory budget.
const MaxOutput = 16 << 20

// Module is require("luaserve.template").
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.template", Open: open} }

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	return L.SetFuncs(L.CreateTable(0, 2), map[string]lua.LGFunction{
		"render": func(L *lua.LState) int { return templateRender(L, h) },
		"raw":    templateRaw,
	})
}

// templateRender is template.render(name, data [, options]).
func templateRender(L *lua.LState, h stdlib.Host) int {
	name := L.CheckString(1)
	data := L.Get(2)
	var layout string
	if opts := L.OptTable(3, nil); opts != nil {
		switch v := opts.RawGetString("layout").(type) {
		case lua.LString:
			layout = string(v)
		case *lua.LNilType:
		default:
			L.ArgError(3, "options.layout must be a string")
		}
	}
	ctx := h.Context()
	out, err := Render(ctx, h.Dir(), name, layout, data)
	if err != nil {
		L.RaiseError("template.render: %v", err)
	}
	L.Push(lua.LString(out))
	return 1
}

// templateRaw is template.raw(s): s marked as trusted HTML.
func templateRaw(L *lua.LState) int {
	ud := L.NewUserData()
	ud.Value = htmltemplate.HTML(L.CheckString(1))
	L.Push(ud)
	return 1
}

// Render executes the template name (or layout, with name's definitions)
// from the files below dir, with data converted from Lua.
func Render(ctx context.Context, dir, name, layout string, data lua.LValue) (string, error) {
	set, err := load(dir, name, layout)
	if err != nil {
		return "", err
	}
	v, err := toGo(ctx, data)
	if err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	w := &output{ctx: ctx}
	if err := set.Execute(w, v); err != nil {
		var oe *outputError
		if errors.As(err, &oe) {
			return "", fmt.Errorf("%s: %w", set.Name(), oe.err)
		}
		return "", err
	}
	return w.buf.String(), nil
}

// output is where a run writes: it stops the run when the request ends,
// the page grows past MaxOutput or the request's memory budget.
type output struct {
	ctx context.Context
	buf bytes.Buffer
}

// outputError is output's refusal, told apart from the template's errors.
type outputError struct{ err error }

func (e *outputError) Error() string { return e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// errTooLarge: the page is past MaxOutput.
var errTooLarge = fmt.Errorf("output over %d bytes", MaxOutput)

func (w *output) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, &outputError{context.Cause(w.ctx)}
	}
	if w.buf.Len()+len(p) > MaxOutput {
		return 0, &outputError{errTooLarge}
	}
	if err := stdlib.Charge(w.ctx, len(p)); err != nil {
		return 0, &outputError{err}
	}
	return w.buf.Write(p)
}
