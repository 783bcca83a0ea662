package tests

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// TestStdoutCloseInRoute: a route closing io.stdout and io.stderr closes
// nothing of the process; what it writes reaches the log, and the next
// request is served.
func TestStdoutCloseInRoute(t *testing.T) {
	t.Parallel()
	s := startSource(t, `local app = require("luaserve")
app.get("/close", function()
  io.write("x")
  local ok, err = io.stdout:close()
  io.stderr:close()
  io.close()
  io.write("after close: ", tostring(err), "\n")
  return "closed"
end)
app.get("/next", function() return "served" end)
`, engine.Config{Workers: 1})
	c := client(t)
	if res, body := do(t, c, "GET", s.url+"/close", ""); res.StatusCode != 200 || body != "closed" {
		t.Fatalf("/close: %d %q\nlog:\n%s", res.StatusCode, body, s.logs.String())
	}
	if res, body := do(t, c, "GET", s.url+"/next", ""); res.StatusCode != 200 || body != "served" {
		t.Fatalf("/next: %d %q", res.StatusCode, body)
	}
	logs := s.logs.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`level=INFO msg=x source=io.stdout where=\S*routes.lua:3\n`),
		regexp.MustCompile(`level=INFO msg="after close: cannot close standard file" source=io.stdout where=\S*routes.lua:7\n`),
	} {
		if !want.MatchString(logs) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		if _, err := f.Stat(); err != nil {
			t.Errorf("the process's %s: %v", f.Name(), err)
		}
	}
}

// sandboxScript reads a file given by the query, and runs a program.
const sandboxScript = `local app = require("luaserve")
app.get("/read", function(req)
  local f, err = io.open(req.query.path)
  if not f then return "not opened: " .. err end
  local text = f:read("*a")
  f:close()
  return text
end)
app.get("/exec", function() return tostring(os.execute("exit 0")) end)
`

// TestSandboxRoutes: with Sandbox, a route reads files beside the script
// and below the file root; /etc/passwd and programs are refused with a 500
// whose log names the refusal. Without it, they are not.
func TestSandboxRoutes(t *testing.T) {
	t.Parallel()
	dir, root := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dir, "routes.lua"), sandboxScript)
	writeFile(t, filepath.Join(dir, "beside.txt"), "beside")
	writeFile(t, filepath.Join(root, "below.txt"), "below")
	s := startConfig(t, engine.Config{Script: filepath.Join(dir, "routes.lua"), Root: root, Sandbox: true})
	c := client(t)
	read := func(path string) (*http.Response, string) {
		return do(t, c, "GET", s.url+"/read?path="+path, "")
	}
	for path, want := range map[string]string{filepath.Join(dir, "beside.txt"): "beside", filepath.Join(root, "below.txt"): "below"} {
		if res, body := read(path); res.StatusCode != 200 || body != want {
			t.Errorf("%s: %d %q\nlog:\n%s", path, res.StatusCode, body, s.logs.String())
		}
	}
	if res, body := read("/etc/passwd"); res.StatusCode != 500 {
		t.Errorf("/etc/passwd in the sandbox: %d %q", res.StatusCode, body)
	}
	if res, _ := do(t, c, "GET", s.url+"/exec", ""); res.StatusCode != 500 {
		t.Errorf("os.execute in the sandbox: %d", res.StatusCode)
	}
	logs := s.logs.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`msg="luaserve: route failed" route="GET /read".*routes\.lua:3: io\.open: sandbox: \\"/etc/passwd\\".* is outside the allowed folders`),
		regexp.MustCompile(`msg="luaserve: route failed" route="GET /exec".*routes\.lua:9: os\.execute is not available in the sandbox`),
	} {
		if !want.MatchString(logs) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}

	if runtime.GOOS == "windows" {
		return
	}
	free := startConfig(t, engine.Config{Script: filepath.Join(dir, "routes.lua"), Root: root})
	if res, body := do(t, c, "GET", free.url+"/read?path=/etc/passwd", ""); res.StatusCode != 200 || strings.HasPrefix(body, "not opened") {
		t.Errorf("/etc/passwd without the sandbox: %d %q", res.StatusCode, body)
	}
	if res, body := do(t, c, "GET", free.url+"/exec", ""); res.StatusCode != 200 || body != "0" {
		t.Errorf("os.execute without the sandbox: %d %q", res.StatusCode, body)
	}
}

// TestCLIStdoutAndSandbox: in the real binary, whose access log is its
// stdout, a route closing io.stdout does not end the access log, and
// -sandbox refuses /etc/passwd.
func TestCLIStdoutAndSandbox(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", `local app = require("luaserve")
app.get("/close", function() io.stdout:close() io.stderr:close() io.write("closed\n") return "closed" end)
app.get("/passwd", function() return io.open("/etc/passwd") and "opened" or "not opened" end)
app.get("/after", function() return "after" end)
`)
	s := startCLI(t, dir, "-sandbox", "routes.lua")
	c := &http.Client{}
	for _, path := range []string{"/close", "/passwd", "/after"} {
		res, err := c.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := map[string]int{"/close": 200, "/passwd": 500, "/after": 200}[path]; res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
	waitLog(t, s.stdout, regexp.MustCompile(`msg=request .*target=/after status=200`))
	waitLog(t, s.stderr, regexp.MustCompile(`msg=closed source=io.stdout where=\S*routes.lua:2`))
	waitLog(t, s.stderr, regexp.MustCompile(fmt.Sprintf(`io\.open: sandbox: %s`, regexp.QuoteMeta(`\"/etc/passwd\"`))))
}

// TestSandboxStaticFolder: under -sandbox, app.static may serve only from
// the script's folder or the root; a folder outside is a load error.
func TestSandboxStaticFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "public"), 0o755)
	script := filepath.Join(dir, "routes.lua")
	outside := t.TempDir()
	for _, tc := range []struct {
		folder  string
		sandbox bool
		wantErr bool
	}{
		{"public", true, false},
		{outside, true, true},
		{outside, false, false},
	} {
		writeFile(t, script, fmt.Sprintf("local app = require('luaserve')\napp.static('/s', %q)\n", tc.folder))
		eng, err := engine.New(engine.Config{Script: script, Workers: 1, Sandbox: tc.sandbox})
		if err == nil {
			eng.Close()
		}
		if gotErr := err != nil; gotErr != tc.wantErr || (tc.wantErr && !strings.Contains(err.Error(), "outside the allowed folders")) {
			t.Errorf("app.static(%q), sandbox %v: %v", tc.folder, tc.sandbox, err)
		}
	}
}
