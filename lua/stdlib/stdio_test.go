package stdlib_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// swapStdio replaces the process's standard files with pipes for the test
// (so it must not run in parallel): stdin holds a line, as if typed.
func swapStdio(t *testing.T) (stdin, stdout, stderr *os.File, readOut, readErr *os.File) {
	t.Helper()
	pipe := func() (*os.File, *os.File) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
		return r, w
	}
	inR, inW := pipe()
	outR, outW := pipe()
	errR, errW := pipe()
	if _, err := inW.WriteString("typed\n"); err != nil {
		t.Fatal(err)
	}
	oldIn, oldOut, oldErr := os.Stdin, os.Stdout, os.Stderr
	os.Stdin, os.Stdout, os.Stderr = inR, outW, errW
	t.Cleanup(func() { os.Stdin, os.Stdout, os.Stderr = oldIn, oldOut, oldErr })
	return inR, outW, errW, outR, errR
}

// TestStdioLeavesProcessFiles: whatever a script does with io.stdout,
// io.stderr, io.stdin and the default files, the process's standard files
// stay open, get nothing written and are not read.
func TestStdioLeavesProcessFiles(t *testing.T) {
	_, stdout, stderr, readOut, readErr := swapStdio(t)
	var logs bytes.Buffer
	L := newState(t, &logs)
	err := L.DoString(`
io.stdout:close(); io.stderr:close(); io.close(); io.close(io.stderr)
io.output(io.stderr); io.close(); io.output(io.stdout)
io.write("to the log\n"); io.stderr:write("also\n"); print("and this")
assert(io.read() == nil and io.stdin:read("*a") == "", "stdin reads nothing")
io.stdin:close(); io.input():close()
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*os.File{stdout, stderr} {
		if _, err := f.WriteString("probe\n"); err != nil {
			t.Fatalf("%s was closed by the script: %v", f.Name(), err)
		}
		f.Close()
	}
	for _, r := range []*os.File{readOut, readErr} {
		if b, _ := io.ReadAll(r); string(b) != "probe\n" {
			t.Errorf("the process's file got %q, want only the probe", b)
		}
	}
	if _, err := os.Stdin.Stat(); err != nil {
		t.Errorf("stdin: %v", err)
	}
	if buf := make([]byte, 6); func() bool { n, _ := os.Stdin.Read(buf); return string(buf[:n]) != "typed\n" }() {
		t.Error("the script read the process's stdin")
	}
	for _, want := range []string{"msg=\"to the log\"", "msg=also", "msg=\"and this\""} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

// TestStdioLogs: io.write and io.stdout write to the log at info, io.stderr
// at warn, a line an entry with the place of the write that ended it.
func TestStdioLogs(t *testing.T) {
	var logs bytes.Buffer
	L := newState(t, &logs)
	err := L.DoString(`io.write("a", 1, "\n", "b\r\n")
io.stdout:write("part ")
io.stdout:write("whole\n", "held")
io.stderr:write("warned\n")
io.flush()
io.stdout:write("closing")
io.stdout:close()
io.stdout:write(string.rep("x", 5000))`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`level=INFO msg=a1 source=io.stdout where=<string>:1`,
		`level=INFO msg=b source=io.stdout where=<string>:1`,
		`level=INFO msg="part whole" source=io.stdout where=<string>:3`,
		`level=WARN msg=warned source=io.stderr where=<string>:4`,
		`level=INFO msg=held source=io.stdout where=<string>:3`,
		`level=INFO msg=closing source=io.stdout where=<string>:6`,
		`level=INFO msg=` + strings.Repeat("x", 5000) + ` source=io.stdout where=<string>:8`,
	}
	var got []string
	for line := range strings.Lines(logs.String()) {
		_, rest, _ := strings.Cut(strings.TrimSpace(line), " ") // drop the time
		got = append(got, rest)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOpenProcessStdio: a file name for the process's standard output (the
// access log redirected to a file) is refused; the null device is not.
func TestOpenProcessStdio(t *testing.T) {
	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	if _, err := logFile.WriteString("GET / 200\n"); err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = logFile
	defer func() { os.Stdout = old }()
	L := newState(t, &bytes.Buffer{})
	L.SetGlobal("log_file", lua.LString(logFile.Name()))
	L.SetGlobal("os_devnull", lua.LString(os.DevNull))
	err = L.DoString(`
for _, f in ipairs({ function() return io.open(log_file, "w") end, function() return io.output(log_file) end,
    function() return io.lines(log_file) end, function() return dofile(log_file) end }) do
  local ok, err = pcall(f)
  assert(not ok and err:find("is the process's standard input, output or error", 1, true), err)
end
assert(io.open(os_devnull, "w")):close()`)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(logFile.Name()); string(b) != "GET / 200\n" {
		t.Fatalf("the log file was changed: %q", b)
	}
}

// TestExecute: os.execute's command reads nothing and writes to the log.
func TestExecute(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the commands are sh's")
	}
	swapStdio(t)
	var logs bytes.Buffer
	L := newState(t, &logs)
	err := L.DoString(`
assert(os.execute("echo out; echo err >&2") == 0)
assert(os.execute("exit 3") == 1)
assert(os.execute("read line && echo got $line") == 1, "stdin is empty")`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"level=INFO msg=out source=os.execute where=<string>:2",
		"level=WARN msg=err source=os.execute where=<string>:2",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "got") {
		t.Errorf("the command read the process's stdin:\n%s", logs.String())
	}
}
