package engine

import (
	"context"
	"errors"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// LoadError is a script that does not compile or load: a syntax error, a
// runtime error while the script registers its routes, or a bad route.
type LoadError struct {
	stdlib.Place // File is "" and Line 0 when unknown
	Msg          string
}

func (e *LoadError) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return e.Place.String() + ": " + e.Msg
}

// ErrTimeLimit is the cause of a route stopped at the request time limit
// (answered 504).
var ErrTimeLimit = errors.New("request time limit exceeded")

// ScriptError is a route that failed: a Lua error, a response the server
// cannot send, the time limit, or a client that went away. No Lua value
// is kept: the message and traceback are text.
type ScriptError struct {
	Route     string       // "GET /users/:id"; "(no route)" for hooks
	Place     stdlib.Place // where the error was raised, when known
	Msg       string       // the message, without its place
	Traceback string       // the Lua stack, "" when there is none
	// Err is why the route stopped when the engine stopped it:
	// ErrTimeLimit, or the request context's cause (httpcore.ErrClientGone,
	// httpcore.ErrServerClosed); nil for an error of the script's own.
	Err error

	panicked bool          // Go code panicked inside the state: do not reuse it
	request  *requestError // the route stopped on what the client sent (form.go)
}

func (e *ScriptError) Error() string { return e.Route + ": " + e.message() }

// message is the error as Lua words it: "file:line: text".
func (e *ScriptError) message() string {
	if e.Place.File == "" {
		return e.Msg
	}
	return e.Place.String() + ": " + e.Msg
}

func (e *ScriptError) Unwrap() error { return e.Err }

// newScriptError describes err, returned by a protected call of route's
// code or by the response conversion; cause is the state's context error.
func newScriptError(route string, err, cause error) *ScriptError {
	se := &ScriptError{Route: route, Err: cause}
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		se.Msg = err.Error()
		return se
	}
	se.Traceback = ae.StackTrace
	se.panicked = ae.Type == lua.ApiErrorPanic
	if se.request = requestErrorOf(ae.Object); se.request != nil {
		se.Msg = se.request.Error()
		return se
	}
	var ok bool
	if se.Place, se.Msg, ok = stdlib.SplitMessage(errorText(ae.Object)); !ok {
		se.Place = firstFrame(se.Traceback) // error(value) carries no place
	}
	return se
}

// nameBottomFrame names the traceback's last "in main chunk" frame, the
// function Go called (a route, middleware, a hook), as what: "main chunk"
// would send a reader to the top of the script.
func nameBottomFrame(tb, what string) string {
	const chunk = ": in main chunk"
	i := strings.LastIndex(tb, chunk)
	if i < 0 {
		return tb
	}
	return tb[:i] + ": in " + what + tb[i+len(chunk):]
}

// errorText words the value a Lua error was raised with: strings and
// numbers as they are, a table as JSON when it can be (error({ code = 1 })
// logs {"code":1}), anything else as Lua prints it.
func errorText(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case *lua.LTable:
		if b, err := json.Encode(context.Background(), nil, v); err == nil {
			return string(b)
		}
	}
	return v.String()
}

// loadErrorFrom turns an error raised while the script loaded into a
// LoadError with the file and line.
func loadErrorFrom(err error) *LoadError {
	var se *stdlib.SyntaxError
	if errors.As(err, &se) {
		return &LoadError{se.Place, se.Msg}
	}
	var le *LoadError
	if errors.As(err, &le) {
		return le
	}
	msg := err.Error()
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		msg = errorText(ae.Object)
	}
	p, text, _ := stdlib.SplitMessage(msg)
	return &LoadError{p, text}
}
