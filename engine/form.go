package engine

import (
	"bytes"
	"errors"
	"io"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
	luaurl "github.com/luaserve/luaserve/lua/stdlib/url"
	"github.com/luaserve/luaserve/upload"
)

// Forms: req:form() reads an application/x-www-form-urlencoded or a
// multipart/form-data body, once per request.
//
//	req:form() -> fields, files
//	  fields: name -> first value; files: name -> first file, a table
//	  { field, filename, content_type, size, content | path }
//	req:form_values(name) -> { value, ... }
//	req:form_files(name) -> { file, ... }
//
// A multipart body that is malformed or over a limit (upload.Limits)
// raises a request error: unless the route catches it with pcall, the
// server answers its status (400, 413) through the status hooks, not 500.
// Temporary files are removed when the route returns.

// requestError is what the client sent and the route cannot take; raised
// as a Lua error (a userdata whose tostring is the reason).
type requestError struct {
	status int
	reason string
}

func (e *requestError) Error() string {
	return itoa(e.status) + " " + httpcore.StatusText(e.status) + ": " + e.reason
}

func itoa(n int) string { return lua.LNumber(n).String() }

// initForms makes the metatable of raised request errors.
func (rt *requestTables) initForms(L *lua.LState, lim upload.Limits) {
	rt.uploads = lim
	rt.errMT = L.NewTable()
	rt.errMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		ud := L.CheckUserData(1)
		if re, ok := ud.Value.(*requestError); ok {
			L.Push(lua.LString(re.Error()))
		} else {
			L.Push(lua.LString("request error"))
		}
		return 1
	}))
}

// raiseRequestError stops the route with a request error for err (an
// *upload.Error); other errors are plain Lua errors.
func (rt *requestTables) raiseRequestError(L *lua.LState, err error) {
	var ue *upload.Error
	if !errors.As(err, &ue) || ue.Status >= 500 {
		L.RaiseError("request form: %s", err.Error())
	}
	rt.raise(L, &requestError{ue.Status, ue.Reason})
}

// raise stops the route with re as its error value.
func (rt *requestTables) raise(L *lua.LState, re *requestError) {
	ud := L.NewUserData()
	ud.Value = re
	ud.Metatable = rt.errMT
	L.Error(ud, 0)
}

// requestErrorOf finds a request error raised as a Lua error's value: the
// engine's own, or a module's stdlib.StatusError (a backend that does not
// answer: 503).
func requestErrorOf(v lua.LValue) *requestError {
	if ud, ok := v.(*lua.LUserData); ok {
		if re, ok := ud.Value.(*requestError); ok {
			return re
		}
	}
	if se := stdlib.StatusErrorOf(v); se != nil {
		return &requestError{se.Status, se.Reason}
	}
	return nil
}

// req:form() -> fields, files
func (rt *requestTables) reqForm(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	rt.parseForm(L, x)
	L.Push(x.lvForm)
	L.Push(x.lvFiles)
	return 2
}

// parseForm builds x.lvForm and x.lvFiles, once.
func (rt *requestTables) parseForm(L *lua.LState, x *exchange) {
	if x.lvForm != nil {
		return
	}
	boundary, multipart, err := upload.Boundary(string(x.r.Header.Get("Content-Type")))
	if err != nil {
		rt.raiseRequestError(L, err)
	}
	if !multipart {
		x.lvForm = luaurl.QueryTable(L, formBody(L, x), false)
		x.lvFiles = L.CreateTable(0, 0)
		return
	}
	var src io.Reader
	if ra, size, ok := x.r.StoredBody(); ok {
		src = io.NewSectionReader(ra, 0, size) // req.body stays readable
	} else {
		src = bytes.NewReader(body(L, x))
	}
	form, err := upload.Parse(src, boundary, rt.uploads)
	if err != nil {
		rt.raiseRequestError(L, err)
	}
	x.upload = form
	fields := L.CreateTable(0, len(form.Fields))
	for _, f := range form.Fields {
		if fields.RawGetString(f.Name) == lua.LNil {
			fields.RawSetString(f.Name, lua.LString(f.Value))
		}
	}
	files := L.CreateTable(0, len(form.Files))
	for _, f := range form.Files {
		if files.RawGetString(f.Field) == lua.LNil {
			files.RawSetString(f.Field, fileTable(L, f))
		}
	}
	x.lvForm, x.lvFiles = fields, files
}

func fileTable(L *lua.LState, f *upload.File) *lua.LTable {
	t := L.CreateTable(0, 5)
	t.RawSetString("field", lua.LString(f.Field))
	t.RawSetString("filename", lua.LString(f.Filename))
	t.RawSetString("content_type", lua.LString(f.ContentType))
	t.RawSetString("size", lua.LNumber(f.Size))
	if f.Path != "" {
		t.RawSetString("path", lua.LString(f.Path))
	} else {
		t.RawSetString("content", lua.LString(f.Content))
	}
	return t
}

// req:form_values(name) -> { value, ... }
func (rt *requestTables) reqFormValues(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	name := L.CheckString(2)
	rt.parseForm(L, x)
	if x.upload == nil {
		all := luaurl.QueryTable(L, formBody(L, x), true)
		L.Push(listOrEmpty(L, all.RawGetString(name)))
		return 1
	}
	t := L.CreateTable(0, 0)
	for _, f := range x.upload.Fields {
		if f.Name == name {
			t.Append(lua.LString(f.Value))
		}
	}
	L.Push(t)
	return 1
}

// req:form_files(name) -> { file, ... }
func (rt *requestTables) reqFormFiles(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	name := L.CheckString(2)
	rt.parseForm(L, x)
	t := L.CreateTable(0, 0)
	if x.upload != nil {
		for _, f := range x.upload.Files {
			if f.Field == name {
				t.Append(fileTable(L, f))
			}
		}
	}
	L.Push(t)
	return 1
}

// dropUploads removes the request's temporary upload files.
func (e *Engine) dropUploads(x *exchange) {
	if x.upload == nil {
		return
	}
	if err := x.upload.RemoveAll(); err != nil {
		e.log.Error("luaserve: removing uploaded files", "err", err)
	}
	x.upload = nil
}
