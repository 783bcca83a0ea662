package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHelpListsEveryFlagWithItsDefault(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, io.Discard, &stderr)
	if !errors.Is(err, flag.ErrHelp) || exitStatus(err, io.Discard) != 0 {
		t.Fatalf("run -h: %v", err)
	}
	out := stderr.String()
	newFlagSet(&options{}, io.Discard).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(out, "  -"+f.Name+" ") && !strings.Contains(out, "  -"+f.Name+"\n") {
			t.Errorf("-h does not list -%s", f.Name)
		}
		if !strings.Contains(out, "(default") {
			t.Errorf("-h shows no defaults")
		}
	})
	for _, want := range []string{`(default ":8080")`, "(default 30s)", "(default 50ms)", "(default: on with -dev)", "(default off)",
		"luaserve check", "luaserve routes", "luaserve test", "luaserve version", "LUASERVE_MAX_BODY"} {
		if !strings.Contains(out, want) {
			t.Errorf("-h lacks %q:\n%s", want, out)
		}
	}
}

func TestSubcommandHelp(t *testing.T) {
	for _, args := range [][]string{{"check", "-h"}, {"routes", "-h"}, {"test", "-h"}, {"version", "-h"}} {
		var stderr bytes.Buffer
		err := run(context.Background(), args, io.Discard, &stderr)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "Usage: luaserve "+args[0]) {
			t.Errorf("%v: %v\n%s", args, err, stderr.String())
		}
	}
	var stderr bytes.Buffer
	run(context.Background(), []string{"test", "-h"}, io.Discard, &stderr)
	for _, f := range []string{"-script", "-run", "-v", "-dev", "-timeout"} {
		if !strings.Contains(stderr.String(), "  "+f) {
			t.Errorf("test -h lacks %s", f)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"-no-such-flag"}, {"check"}, {"routes", "a.lua", "b.lua"}, {"version", "x"},
		{"check", "missing.lua"}, {"test", "-run", "("}, {"test", "missing_dir"}, {"a.lua", "b.lua"},
		{"-log-format", "xml"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if got := exitStatus(err, io.Discard); got != 2 {
			t.Errorf("%v: exit status %d (%v), want 2", args, got, err)
		}
	}
}

func TestWatchFollowsDevAndEnv(t *testing.T) {
	for _, c := range []struct {
		args  []string
		env   map[string]string
		watch bool
	}{
		{nil, nil, false},
		{[]string{"-dev"}, nil, true},
		{[]string{"-dev", "-watch=false"}, nil, false},
		{[]string{"-watch"}, nil, true},
		{nil, map[string]string{"LUASERVE_DEV": "1"}, true},
		{nil, map[string]string{"LUASERVE_DEV": "1", "LUASERVE_WATCH": "false"}, false},
		{nil, map[string]string{"LUASERVE_WATCH": "true"}, true},
	} {
		t.Run(strings.Join(c.args, " ")+mapString(c.env), func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			o, _, err := parseServe(c.args, io.Discard)
			if err != nil || o.watch != c.watch {
				t.Fatalf("watch = %v, err %v; want %v", o != nil && o.watch, err, c.watch)
			}
		})
	}
	t.Setenv("LUASERVE_WATCH_DEBOUNCE", "120ms")
	t.Setenv("LUASERVE_QUIET", "true")
	o, _, err := parseServe(nil, io.Discard)
	if err != nil || o.debounce != 120*time.Millisecond || !o.quiet {
		t.Fatalf("%+v %v", o, err)
	}
}

func mapString(m map[string]string) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(" " + k + "=" + v)
	}
	return b.String()
}

// serveInProcess runs the serve command on a free port until the test
// ends, and returns its base URL and output.
func serveInProcess(t *testing.T, args ...string) (url string, stdout, stderr *syncBuffer) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	re := regexp.MustCompile(`(?:on |"url":")(http://[^\s"]+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout, stderr
		}
		time.Sleep(5 * time.Millisecond) // polling, with the deadline above
	}
	t.Fatalf("no banner after 10s; stdout %q, stderr %q", stdout.String(), stderr.String())
	return "", nil, nil
}

func get(t *testing.T, url string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

// waitFor polls buf until it matches re.
func waitFor(t *testing.T, buf *syncBuffer, re *regexp.Regexp) []string {
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

func TestAccessLogText(t *testing.T) {
	url, stdout, stderr := serveInProcess(t)
	get(t, url+"/hello?x=1")
	get(t, url+"/nowhere")
	waitFor(t, stdout, regexp.MustCompile(`(?m)^time=\S+ level=INFO msg=request remote=127\.0\.0\.1:\d+ method=GET target="?/hello\?x=1"? status=200 bytes=13 duration=[\d.]+[µnm]?s request_id=[0-9a-v]{12}-[0-9a-v]+ user_agent=Go-http-client/1\.1$`))
	waitFor(t, stdout, regexp.MustCompile(`(?m)^time=\S+ level=INFO msg=request remote=\S+ method=GET target=/nowhere status=404 bytes=\d+ duration=\S+ request_id=\S+ user_agent=\S+$`))
	if strings.Contains(stderr.String(), "msg=request") {
		t.Errorf("access log on stderr:\n%s", stderr.String())
	}
}

func TestAccessLogJSON(t *testing.T) {
	url, stdout, _ := serveInProcess(t, "-log-format", "json")
	get(t, url+"/hello")
	line := waitFor(t, stdout, regexp.MustCompile(`(?m)^(\{.*"msg":"request".*\})$`))[1]
	var rec map[string]any
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	for k, want := range map[string]any{"level": "INFO", "msg": "request", "method": "GET", "target": "/hello",
		"status": float64(200), "bytes": float64(13)} {
		if rec[k] != want {
			t.Errorf("%s = %v, want %v (%s)", k, rec[k], want, line)
		}
	}
	if _, ok := rec["time"].(string); !ok {
		t.Errorf("no time: %s", line)
	}
	if d, ok := rec["duration"].(float64); !ok || d <= 0 {
		t.Errorf("duration (nanoseconds) = %v: %s", rec["duration"], line)
	}
	if r, _ := rec["remote"].(string); !strings.HasPrefix(r, "127.0.0.1:") {
		t.Errorf("remote = %q", r)
	}
}

func TestQuietHasNoAccessLog(t *testing.T) {
	url, stdout, _ := serveInProcess(t, "-quiet")
	get(t, url+"/hello")
	get(t, url+"/hello")
	if strings.Contains(stdout.String(), "msg=request") {
		t.Errorf("-quiet still logs requests:\n%s", stdout.String())
	}
}

func TestRouteErrorsGoToStderr(t *testing.T) {
	dir := t.TempDir()
	script := dir + "/routes.lua"
	writeScript(t, script, "local app = require(\"luaserve\")\napp.get(\"/boom\", function() error(\"kaboom\") end)\n")
	url, stdout, stderr := serveInProcess(t, "-quiet", script)
	get(t, url+"/boom")
	waitFor(t, stderr, regexp.MustCompile(`level=ERROR msg="luaserve: route failed".*routes.lua:2: kaboom`))
	if strings.Contains(stdout.String(), "kaboom") {
		t.Errorf("error on stdout:\n%s", stdout.String())
	}
}

func writeScript(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDevErrorPage(t *testing.T) {
	script := t.TempDir() + "/routes.lua"
	writeScript(t, script, `local app = require("luaserve")
local function load(id)
  local rows = nil
  return rows[id]
end
app.get("/items/:id", function(req)
  return { json = load(req.params.id) }
end)
`)
	for _, dev := range []bool{true, false} {
		args := []string{"-quiet", script}
		if dev {
			args = append([]string{"-dev"}, args...)
		}
		url, _, _ := serveInProcess(t, args...)
		req, _ := http.NewRequest("GET", url+"/items/7", nil)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(body)
		if res.StatusCode != 500 {
			t.Fatalf("dev=%v: status %d", dev, res.StatusCode)
		}
		leaks := strings.Contains(page, "rows[id]") || strings.Contains(page, "traceback")
		if !dev {
			if leaks || page != "500 Internal Server Error\n" {
				t.Errorf("production 500 shows more than its status: %q", page)
			}
			continue
		}
		for _, want := range []string{"<!doctype html>", "routes.lua:4: attempt to index", "routes.lua, line 4",
			`class="line hl"><span class="no">4</span><code>  return rows[id]</code>`, `<span class="no">1</span><code>local app`, "Traceback",
			"routes.lua:7: in route GET /items/:id"} {
			if !strings.Contains(page, want) {
				t.Errorf("dev page lacks %q:\n%s", want, page)
			}
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type %q", ct)
		}
	}
}

func TestVersionSpellings(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"-version"}, {"--version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, io.Discard); err != nil || out.String() != versionLine()+"\n" {
			t.Errorf("%v: %v %q", args, err, out.String())
		}
	}
	commit, built = "0123456789ab", "2026-01-02T03:04:05Z"
	defer func() { commit, built = "", "" }()
	if got := versionLine(); !strings.HasPrefix(got, "luaserve "+version()+" (commit 0123456789ab, built 2026-01-02T03:04:05Z, go") {
		t.Errorf("stamped: %q", got)
	}
}

// answerOnce serves one connection with a fixed response and returns the
// URL to it.
func answerOnce(t *testing.T, response string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for { // the request head
			line, err := br.ReadString('\n')
			if err != nil || line == "\r\n" {
				break
			}
		}
		io.WriteString(c, response)
	}()
	return "http://" + ln.Addr().String() + "/"
}

func TestHealth(t *testing.T) {
	for _, c := range []struct {
		name, response string
		status         int
		out            string
	}{
		{"ok", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, "answered 200 OK"},
		{"not_found_is_alive", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, "answered 404"},
		{"redirect_not_followed", "HTTP/1.1 301 Moved Permanently\r\nLocation: http://192.0.2.1/\r\nContent-Length: 0\r\n\r\n", 0, "answered 301"},
		{"unavailable", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 1, "answered 503"},
	} {
		url := answerOnce(t, c.response)
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"health", url}, &out, &errOut)
		status := exitStatus(err, &errOut)
		if status != c.status || !strings.Contains(out.String()+errOut.String(), c.out) {
			t.Errorf("%s: exit %d, want %d; %q %q", c.name, status, c.status, out.String(), errOut.String())
		}
	}
	// Nothing listening: a failure naming the reason, quickly.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	url := "http://" + ln.Addr().String() + "/"
	ln.Close()
	var errOut bytes.Buffer
	if status := exitStatus(run(context.Background(), []string{"health", "-timeout", "2s", url}, io.Discard, &errOut), &errOut); status != 1 ||
		!strings.Contains(errOut.String(), "refused") {
		t.Errorf("nothing listening: exit %d %q", status, errOut.String())
	}
	t.Setenv("LUASERVE_ADDR", "0.0.0.0:9090")
	if got := healthURL(); got != "http://127.0.0.1:9090/" {
		t.Errorf("healthURL with LUASERVE_ADDR=0.0.0.0:9090: %s", got)
	}
	t.Setenv("LUASERVE_ADDR", "[::1]:81")
	if got := healthURL(); got != "http://[::1]:81/" {
		t.Errorf("healthURL with LUASERVE_ADDR=[::1]:81: %s", got)
	}
}
