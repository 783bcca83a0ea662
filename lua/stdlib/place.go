package stdlib

import (
	"log/slog"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Place is a position in Lua source. Line is 0 when unknown; the zero
// Place is nowhere.
type Place struct {
	File string
	Line int
}

// String formats p as "file:line", "file" without a line, "" for nowhere.
func (p Place) String() string {
	if p.Line > 0 {
		return p.File + ":" + strconv.Itoa(p.Line)
	}
	return p.File
}

// LogValue logs p as its String.
func (p Place) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Caller returns the place of the Lua code level frames up the call stack
// of the running Go function: 1 is the Lua line that called it.
func Caller(L *lua.LState, level int) Place {
	dbg, ok := L.GetStack(level)
	if !ok {
		return Place{}
	}
	if _, err := L.GetInfo("Sl", dbg, nil); err != nil || dbg.Source == "" {
		return Place{}
	}
	return Place{File: dbg.Source, Line: max(dbg.CurrentLine, 0)}
}

// SplitMessage splits a Lua error message as gopher-lua formats it, "f.lua:3:
// text", into its place and text; ok is false when msg carries no place
// (error("x", 0), or a Go error). It is the one place where a location is
// read back from text: Lua gives runtime errors to Go only as strings.
func SplitMessage(msg string) (p Place, text string, ok bool) {
	first, _, _ := strings.Cut(msg, "\n")
	i := strings.Index(first, ".lua:")
	if i < 0 {
		return Place{}, msg, false
	}
	rest := first[i+len(".lua:"):]
	j := strings.IndexByte(rest, ':')
	if j <= 0 {
		return Place{}, msg, false
	}
	line, err := strconv.Atoi(rest[:j])
	if err != nil || line <= 0 {
		return Place{}, msg, false
	}
	return Place{File: first[:i+len(".lua")], Line: line}, strings.TrimSpace(rest[j+1:]) + msg[len(first):], true
}
