package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The CLI tests run the real binary, built once per test run.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// luaserveBin builds cmd/luaserve (once) and returns its path.
func luaserveBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "luaserve-cli-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "luaserve")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/luaserve").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// cli runs the binary with args in dir and returns its output and exit
// status.
func cli(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	// Bounded: a command that should exit but serves instead fails the
	// test rather than hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, luaserveBin(t), args...)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// scriptDir writes files (name, content pairs) to a temporary folder.
func scriptDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		os.MkdirAll(filepath.Dir(p), 0o755)
		writeFile(t, p, files[i+1])
	}
	return dir
}

func repoRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func TestCLIVersionAndHelp(t *testing.T) {
	t.Parallel()
	want := regexp.MustCompile(`^luaserve \d+\.\d+\.\d+ \(commit ([0-9a-f]+(-dirty)?|unknown)(, built \S+)?, go1\.\S+, \w+/\w+\)\n$`)
	first, _, _ := cli(t, ".", "version")
	for _, spelling := range []string{"version", "-version", "--version"} {
		out, _, code := cli(t, ".", spelling)
		if code != 0 || !want.MatchString(out) || out != first {
			t.Errorf("%s: %d %q", spelling, code, out)
		}
	}
	_, errOut, code := cli(t, ".", "-h")
	if code != 0 {
		t.Errorf("-h: exit status %d", code)
	}
	for _, flag := range []string{"-addr", "-workers", "-timeout", "-max-body", "-root", "-dev", "-log-format", "-max-conns",
		"-max-header-bytes", "-header-timeout", "-body-timeout", "-idle-timeout", "-write-timeout", "-shutdown-timeout",
		"-watch", "-watch-debounce", "-quiet"} {
		if !regexp.MustCompile(`(?m)^  ` + flag + `\b.*\n\s+.*\(default`).MatchString(errOut) {
			t.Errorf("-h does not list %s with its default", flag)
		}
	}
	for _, sub := range []string{"check", "routes", "test", "version"} {
		if _, e, code := cli(t, ".", sub, "-h"); code != 0 || !strings.Contains(e, "Usage: luaserve "+sub) {
			t.Errorf("%s -h: %d %q", sub, code, e)
		}
	}
}

func TestCLICheck(t *testing.T) {
	t.Parallel()
	// The example is clean.
	out, errOut, code := cli(t, repoRoot(t), "check", "examples/routes.lua")
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("check examples/routes.lua: %d %q %q", code, out, errOut)
	}
	dir := scriptDir(t,
		"syntax.lua", "local app = require(\"luaserve\")\napp.get(\"/\", function()\n  return 'x'\n",
		"runtime.lua", "local app = require(\"luaserve\")\nlocal cfg = nil\napp.get(cfg.path, function() end)\n",
		"dup.lua", "local app = require(\"luaserve\")\napp.get(\"/a\", function() end)\napp.get(\"/a\", function() end)\n",
		"bugs.lua", `local app = require("luaserve")
app.get("/a", function(req)
  hits = 1
  return { stauts = 200 }
end)
app.static("/s/", ".")
app.static("/s/x/", ".")
`)
	for _, c := range []struct {
		script string
		want   []string
	}{
		{"syntax.lua", []string{"syntax.lua:3: unexpected end of file (a missing 'end' or closing bracket?)"}},
		{"runtime.lua", []string{"runtime.lua:3: attempt to index a non-table object(nil) with key 'path'"}},
		{"dup.lua", []string{"dup.lua:3: GET /a is already registered at dup.lua:2"}},
		{"bugs.lua", []string{
			"bugs.lua:3: assignment to undeclared global 'hits' inside a function",
			`bugs.lua:4: response table key "stauts" is not one the server knows; it is ignored (did you mean "status"?)`,
			`bugs.lua:7: app.static("/s/x/") is never reached: the earlier app.static("/s/") at bugs.lua:6`,
		}},
	} {
		out, _, code := cli(t, dir, "check", c.script)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != 1 || len(lines) != len(c.want) {
			t.Errorf("check %s: exit %d, output:\n%s", c.script, code, out)
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("check %s line %d:\n got  %s\n want %s", c.script, i+1, lines[i], w)
			}
		}
	}
	if _, e, code := cli(t, dir, "check", "missing.lua"); code != 2 || !strings.Contains(e, "missing.lua") {
		t.Errorf("check missing.lua: %d %q", code, e)
	}
}

func TestCLIRoutes(t *testing.T) {
	t.Parallel()
	out, _, code := cli(t, repoRoot(t), "routes", "examples/routes.lua")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) < 10 {
		t.Fatalf("routes: %d\n%s", code, out)
	}
	// Aligned columns: method, pattern, where.
	col := strings.Index(lines[0], "/")
	whereCol := strings.Index(lines[0], "examples/routes.lua:")
	for _, l := range lines {
		if strings.Index(l, "/") != col || strings.Index(l, "examples/routes.lua:") != whereCol {
			t.Errorf("misaligned: %q", l)
		}
	}
	if !regexp.MustCompile(`(?m)^GET\s+/hello/:name\s+examples/routes\.lua:\d+$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^DELETE\s+/todos/:id\s+examples/routes\.lua:\d+$`).MatchString(out) {
		t.Errorf("routes output:\n%s", out)
	}
	dir := scriptDir(t, "bad.lua", "local app = require(\"luaserve\")\napp.get(\"/\", function()\n")
	if _, e, code := cli(t, dir, "routes", "bad.lua"); code != 1 || !strings.Contains(e, "bad.lua:2: unexpected end of file") {
		t.Errorf("routes bad.lua: %d %q", code, e)
	}
}

func TestCLITest(t *testing.T) {
	t.Parallel()
	out, _, code := cli(t, repoRoot(t), "test", "examples")
	if code != 0 || !regexp.MustCompile(`(?m)^\d+ passed, 0 failed$`).MatchString(out) || strings.Contains(out, "FAIL") {
		t.Errorf("test examples: exit %d\n%s", code, out)
	}
	dir := scriptDir(t, "routes.lua", "local app = require(\"luaserve\")\napp.get(\"/\", function() return 'hi' end)\n",
		"routes_test.lua", `test("says hi", function() expect(get("/").body).to_be("hi") end)
test("wrong", function()
  expect(get("/").status).to_be(404)
end)
`)
	out, _, code = cli(t, dir, "test")
	for _, want := range []string{
		"PASS routes_test.lua:1: says hi (", "FAIL routes_test.lua:2: wrong (",
		"    routes_test.lua:3: to_be: values differ\n        expected: 404\n        actual:   200\n",
		"\n1 passed, 1 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if _, e, code := cli(t, t.TempDir(), "test"); code != 2 || !strings.Contains(e, "no *_test.lua files") {
		t.Errorf("no tests: %d %q", code, e)
	}
}

func TestCLIServeErrors(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "broken.lua", "local app = require(\"luaserve\")\napp.get(\"/\", function() return 1 + end)\n",
		"ok.lua", "local app = require(\"luaserve\")\napp.get(\"/\", function() return 'ok' end)\n")
	_, e, code := cli(t, dir, "-addr", "127.0.0.1:0", "broken.lua")
	if code != 1 || !strings.Contains(e, "broken.lua:2: ") {
		t.Errorf("a broken script: %d %q", code, e)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, e, code = cli(t, dir, "-addr", ln.Addr().String(), "ok.lua")
	if code != 1 || !strings.Contains(e, "already in use") {
		t.Errorf("port in use: %d %q", code, e)
	}
}

// started is a luaserve process serving until the test ends.
type started struct {
	url    string
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	exited chan struct{} // closed when the process has ended and its output is read
}

// startCLI starts the binary on a free port and waits for its banner.
func startCLI(t *testing.T, dir string, args ...string) *started {
	t.Helper()
	return startCLIEnv(t, dir, nil, args...)
}

// startCLIEnv is startCLI with env added to the test's environment.
func startCLIEnv(t *testing.T, dir string, env []string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(luaserveBin(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	s := &started{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	s.exited = copied
	go func() { io.Copy(s.stdout, pipe); close(copied) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-copied:
		case <-time.After(15 * time.Second):
			t.Errorf("luaserve did not exit 15s after SIGTERM")
			cmd.Process.Kill()
			<-copied
		}
		cmd.Wait()
	})
	m := waitLog(t, s.stdout, regexp.MustCompile(`(?:on |"url":")(https?://[^\s"]+)`))
	s.url = m[1]
	return s
}

// waitLog polls buf until re matches, failing after 5s.
func waitLog(t *testing.T, buf *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m
		}
		time.Sleep(5 * time.Millisecond) // polling, with the deadline above
	}
	t.Fatalf("no match for %s in:\n%s", re, buf.String())
	return nil
}

func TestCLIWatchAndSIGHUP(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", versionScript(1))
	s := startCLI(t, dir, "-watch", "routes.lua")
	waitLog(t, s.stdout, regexp.MustCompile(`watching \S*routes.lua for changes`))
	waitBody(t, strings.TrimPrefix(s.url, "http://"), "/", bodyIs("v1"))
	writeFile(t, filepath.Join(dir, "routes.lua"), versionScript(2))
	waitBody(t, strings.TrimPrefix(s.url, "http://"), "/", bodyIs("v2"))
	waitLog(t, s.stderr, regexp.MustCompile(`msg="luaserve: reloaded"`))

	// Without -watch, a change waits for SIGHUP.
	dir2 := scriptDir(t, "routes.lua", versionScript(1))
	s2 := startCLI(t, dir2, "routes.lua")
	addr := strings.TrimPrefix(s2.url, "http://")
	waitBody(t, addr, "/", bodyIs("v1"))
	writeFile(t, filepath.Join(dir2, "routes.lua"), versionScript(2))
	k := &keepAlive{addr: addr}
	defer k.close()
	if _, body, err := k.get("/"); err != nil || body != "v1" {
		t.Fatalf("reloaded without -watch or SIGHUP: %q %v", body, err)
	}
	if err := s2.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitBody(t, addr, "/", bodyIs("v2"))
	// A server that watches says so before it serves: by now its stdout
	// would show it.
	if strings.Contains(s2.stdout.String(), "watching") {
		t.Errorf("watching without -watch:\n%s", s2.stdout.String())
	}
}

func TestCLIAccessLog(t *testing.T) {
	t.Parallel()
	s := startCLI(t, ".")
	res, err := http.Get(s.url + "/hello/ada?x=1")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	waitLog(t, s.stdout, regexp.MustCompile(
		`(?m)^time=\S+ level=INFO msg=request remote=127\.0\.0\.1:\d+ method=GET target="/hello/ada\?x=1" status=200 bytes=11 duration=[\d.]+(µs|ms|ns|s) request_id=[0-9a-v]{12}-[0-9a-v]+ user_agent=Go-http-client/1\.1$`))

	j := startCLI(t, ".", "-log-format", "json")
	res, err = http.Get(j.url + "/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	waitLog(t, j.stdout, regexp.MustCompile(
		`(?m)^\{"time":"[^"]+","level":"INFO","msg":"request","remote":"127\.0\.0\.1:\d+","method":"GET","target":"/nowhere","status":404,"bytes":\d+,"duration":\d+,"request_id":"[0-9a-v]{12}-[0-9a-v]+","user_agent":"Go-http-client/1\.1"\}$`))

	// JSON throughout: the banner is a JSON line too, not text.
	sc := bufio.NewScanner(strings.NewReader(j.stdout.String()))
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("a line on stdout that is not JSON: %s", sc.Text())
		}
	}
	if !strings.Contains(j.stdout.String(), `"msg":"luaserve serving"`) {
		t.Errorf("no JSON banner:\n%s", j.stdout.String())
	}
}

// TestCLIServesEmbeddedExample: with no script, the binary serves the
// embedded examples/routes.lua, from any folder.
func TestCLIServesEmbeddedExample(t *testing.T) {
	t.Parallel()
	s := startCLI(t, t.TempDir(), "-quiet")
	if !strings.Contains(s.stdout.String(), "embedded examples/routes.lua") {
		t.Errorf("banner: %q", s.stdout.String())
	}
	c := &http.Client{Timeout: 10 * time.Second}
	for path, want := range map[string]string{
		"/hello":     "Hello, World!",
		"/hello/ada": "Hello, ada!",
		"/download":  "Hello from a file served by luaserve.",
	} {
		res, err := c.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d %q", path, res.StatusCode, b)
		}
	}
}

// TestCLIGracefulShutdown: on SIGTERM the request in flight gets its
// response, then the process exits 0 and the port is closed.
func TestCLIGracefulShutdown(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", `local app = require("luaserve")
local time = require("luaserve.time")
app.get("/slow", function() print("in the route") time.sleep(0.5) return "finished" end)`)
	cmd := exec.Command(luaserveBin(t), "-quiet", "-addr", "127.0.0.1:0", "routes.lua")
	cmd.Dir = dir
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	m := waitLog(t, out, regexp.MustCompile(`on http://(\S+)`))
	addr := m[1]
	got := make(chan string, 1)
	go func() {
		_, body, err := (&keepAlive{addr: addr}).get("/slow")
		if err != nil {
			body = "error: " + err.Error()
		}
		got <- body
	}()
	waitLog(t, out, regexp.MustCompile(`in the route`))
	select {
	case body := <-got:
		t.Fatalf("/slow answered %q before SIGTERM: no request in flight to test", body)
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if body := <-got; body != "finished" {
		t.Fatalf("request in flight during shutdown: %q", body)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, out.String())
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("still accepting after exit")
	}
}
