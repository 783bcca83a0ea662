package stdlib

import (
	"log/slog"
	"os/exec"
	"runtime"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// execute is os.execute(command) -> 0 | 1 for a state of h: the command
// runs in the system shell, as gopher-lua's does, but it is not handed the
// process's standard files: it reads nothing, its output goes to the
// server log a line an entry (stdout at info, stderr at warn, with the
// place of the call), and it is killed when the request's context ends.
// As gopher-lua's, it returns 0 when the command succeeded, 1 otherwise.
func execute(h Host) lua.LGFunction {
	return func(L *lua.LState) int {
		command := L.CheckString(1)
		where := Caller(L, 1)
		shell, args := "/bin/sh", []string{"-c", command}
		if runtime.GOOS == "windows" {
			shell, args = `C:\Windows\system32\cmd.exe`, []string{"/c", command}
		}
		cmd := exec.CommandContext(h.Context(), shell, args...)
		stdout := &lineLog{h: h, level: slog.LevelInfo, source: "os.execute", where: where}
		stderr := &lineLog{h: h, level: slog.LevelWarn, source: "os.execute", where: where}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		// A command that leaves a child holding its output open does not
		// hold the route past its own end (or past a cancel).
		cmd.WaitDelay = time.Second
		err := cmd.Run()
		stdout.emit(true)
		stderr.emit(true)
		if err != nil {
			L.Push(lua.LNumber(1))
		} else {
			L.Push(lua.LNumber(0))
		}
		return 1
	}
}
