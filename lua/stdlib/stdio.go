package stdlib

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// A state's io.stdout, io.stderr and io.stdin are not the process's files.
// luaserve writes its access log to stdout and its error log to stderr, for
// every state at once: gopher-lua's io.stdout:close() would end the access
// log for the whole process, and io.read would block a route on the
// process's input. Instead io.stdout and io.stderr write to the server log,
// a line an entry, and cannot be closed (close returns nil and "cannot close
// standard file", as Lua 5.1's does); io.stdin is empty. The io functions
// that use the default files (io.write, io.read, io.lines, io.close,
// io.flush, io.input, io.output) are replaced to match, and nothing left
// in the state holds the process's files.

// lineLog writes text to the server log, one entry for each line.
type lineLog struct {
	h       Host
	level   slog.Level
	source  string // the entries' source attribute: "io.stdout"
	where   Place  // of the write being logged
	pending []byte // text not yet ended by a newline
}

// maxPending is how much text without a newline waits for its end before
// it is logged as it is.
const maxPending = 4096

func (w *lineLog) Write(p []byte) (int, error) {
	w.pending = append(w.pending, p...)
	w.emit(false)
	return len(p), nil
}

// emit logs every complete line, and the rest too when all is set or it
// has grown past maxPending. A line is logged with the place of the write
// that ended it.
func (w *lineLog) emit(all bool) {
	rest := w.pending
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		w.log(rest[:i])
		rest = rest[i+1:]
	}
	if len(rest) > 0 && (all || len(rest) >= maxPending) {
		w.log(rest)
		rest = nil
	}
	w.pending = append(w.pending[:0], rest...)
	if cap(w.pending) > 16*maxPending {
		w.pending = nil // one huge write does not keep its buffer for the state's life
	}
}

func (w *lineLog) log(line []byte) {
	line = bytes.TrimSuffix(line, []byte("\r"))
	w.h.Log().Log(context.Background(), w.level, string(line), "source", w.source, "where", w.where)
}

// stdFile is the value of a state's io.stdout, io.stderr or io.stdin.
type stdFile struct {
	name string   // "stdout"
	out  *lineLog // nil for stdin, which reads nothing
}

const stdFileClass = "luaserve.stdfile"

var stdFileMethods = map[string]lua.LGFunction{
	"write":   func(L *lua.LState) int { return checkStd(L).write(L, 2) },
	"read":    func(L *lua.LState) int { return checkStd(L).read(L, 2) },
	"lines":   func(L *lua.LState) int { return checkStd(L).lines(L) },
	"close":   func(L *lua.LState) int { return checkStd(L).close(L) },
	"flush":   func(L *lua.LState) int { return checkStd(L).flush(L) },
	"seek":    func(L *lua.LState) int { return fail(L, "cannot seek a standard file") },
	"setvbuf": func(L *lua.LState) int { return checkStd(L).flush(L) }, // the buffering is the log's
}

func checkStd(L *lua.LState) *stdFile {
	if f := asStd(L.Get(1)); f != nil {
		return f
	}
	L.ArgError(1, "standard file expected")
	return nil
}

// asStd is v's stdFile, or nil when v is not one.
func asStd(v lua.LValue) *stdFile {
	if ud, ok := v.(*lua.LUserData); ok {
		f, _ := ud.Value.(*stdFile)
		return f
	}
	return nil
}

// fail returns nil and msg to Lua: an expected failure.
func fail(L *lua.LState, msg string) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(msg))
	return 2
}

// write implements f:write(...) for the values from index first: strings
// and numbers, as gopher-lua's files take.
func (f *stdFile) write(L *lua.LState, first int) int {
	if f.out == nil {
		return fail(L, "io."+f.name+" is opened only for reading")
	}
	top := L.GetTop()
	for i := first; i <= top; i++ {
		L.CheckTypes(i, lua.LTNumber, lua.LTString)
	}
	f.out.where = Caller(L, 1)
	for i := first; i <= top; i++ {
		f.out.pending = append(f.out.pending, lua.LVAsString(L.Get(i))...)
	}
	f.out.emit(false)
	L.Push(lua.LTrue)
	return 1
}

// read implements f:read(formats...) at the end of the input: "*a" reads
// "", every other format nil, and reading stops there, as at the end of a
// file.
func (f *stdFile) read(L *lua.LState, first int) int {
	if f.out != nil {
		return fail(L, "io."+f.name+" is opened only for writing")
	}
	top := L.GetTop()
	if top < first {
		L.Push(lua.LNil)
		return 1
	}
	for i := first; i <= top; i++ {
		switch v := L.Get(i).(type) {
		case lua.LNumber:
			L.Push(lua.LNil)
			return i - first + 1
		case lua.LString:
			switch strings.TrimPrefix(string(v), "*") {
			case "a":
				L.Push(lua.LString(""))
				continue
			case "l", "L", "n":
				L.Push(lua.LNil)
				return i - first + 1
			}
		}
		L.ArgError(i, "invalid format")
	}
	return top - first + 1
}

// lines implements f:lines(): an iterator that ends at once.
func (f *stdFile) lines(L *lua.LState) int {
	if f.out != nil {
		return fail(L, "io."+f.name+" is opened only for writing")
	}
	L.Push(L.NewFunction(func(L *lua.LState) int { L.Push(lua.LNil); return 1 }))
	return 1
}

// close implements f:close(): it logs what waits for a newline and leaves
// the file open.
func (f *stdFile) close(L *lua.LState) int {
	if f.out != nil {
		f.out.emit(true)
	}
	return fail(L, "cannot close standard file")
}

// flush implements f:flush(): it logs what waits for a newline.
func (f *stdFile) flush(L *lua.LState) int {
	if f.out != nil {
		f.out.emit(true)
	}
	L.Push(lua.LTrue)
	return 1
}

// isProcessStdio reports whether path names the process's standard input,
// output or error (/dev/stdout, the file the access log is redirected to):
// opening it would write into the logs behind the logger's back, or block
// on the process's input. The null device is not.
func isProcessStdio(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	for _, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
		if f == nil {
			continue
		}
		if fst, err := f.Stat(); err == nil && os.SameFile(st, fst) {
			return true
		}
	}
	return false
}
