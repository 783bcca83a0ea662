package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFlagSlipsGetSpecificMessages: the common slips each get one line
// that says how to write it, not the flag package's "parse error" and a
// page of usage.
func TestFlagSlipsGetSpecificMessages(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-timeout", "5"}, nil, `-timeout "5": a duration needs a unit: write 5s for seconds`},
		{[]string{"-shutdown-timeout=2.5"}, nil, `write 2.5s for seconds`},
		{[]string{"-timeout", "five"}, nil, `-timeout "five": not a duration; write a number with a unit, such as 30s`},
		{nil, map[string]string{"LUASERVE_TIMEOUT": "5"}, `LUASERVE_TIMEOUT="5": a duration needs a unit: write 5s`},
		{[]string{"test", "-timeout", "3"}, nil, `luaserve test: -timeout "3": a duration needs a unit: write 3s`},
		{[]string{"-addr", "8080"}, nil, "-addr 8080: a port alone needs a colon: write -addr :8080"},
		{nil, map[string]string{"LUASERVE_ADDR": "8080"}, "write -addr :8080"},
		{[]string{"-addr", "localhost"}, nil, `-addr "localhost": want host:port, such as :8080`},
		{[]string{"-addr", ":70000"}, nil, `-addr :70000: port "70000" is not a number from 0 to 65535`},
		{[]string{"-no-such-flag"}, nil, "flag provided but not defined: -no-such-flag\nRun 'luaserve -h' for the flags."},
	} {
		t.Run(strings.Join(c.args, " ")+mapString(c.env), func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var stderr bytes.Buffer
			err := run(context.Background(), c.args, io.Discard, &stderr)
			status := exitStatus(err, &stderr)
			out := stderr.String()
			if status != 2 || !strings.Contains(out, c.want) || strings.Contains(out, "parse error") ||
				strings.Contains(out, "Flags:") || strings.Count(out, "\n") > 2 {
				t.Errorf("exit %d:\n%s\nwant 2 and %q", status, out, c.want)
			}
		})
	}
	// Good spellings still work, and -h still prints the usage.
	if _, _, err := parseServe([]string{"-addr", "127.0.0.1:0", "-timeout", "1.5s", "-addr", ":http"}, io.Discard); err != nil {
		t.Errorf("good flags: %v", err)
	}
}

// TestJSONLogsThroughout: with -log-format json every line on stdout and
// stderr is a JSON object, the banner (with its routes), -watch's note,
// the access log and the shutdown included.
func TestJSONLogsThroughout(t *testing.T) {
	script := t.TempDir() + "/routes.lua"
	writeScript(t, script, "local app = require(\"luaserve\")\napp.get(\"/hi\", function() return { stauts = 201, text = \"hi\" } end)\n")
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-log-format", "json", "-watch", script}, stdout, stderr)
	}()
	m := waitFor(t, stdout, regexp.MustCompile(`"url":"(http://[^"]+)"`))
	get(t, m[1]+"/hi")
	waitFor(t, stdout, regexp.MustCompile(`"target":"/hi"`))
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no shutdown")
	}
	var msgs []string
	for _, out := range []string{stdout.String(), stderr.String()} {
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Errorf("not JSON: %q", line)
				continue
			}
			msgs = append(msgs, v["msg"].(string))
			if v["msg"] == "luaserve serving" {
				routes, _ := v["routes"].([]any)
				if len(routes) != 1 || routes[0].(map[string]any)["pattern"] != "/hi" {
					t.Errorf("banner routes: %v", v["routes"])
				}
			}
		}
	}
	got := strings.Join(msgs, "|")
	for _, want := range []string{"luaserve serving", "watching for changes (-watch)", "request",
		"luaserve: response table has a key the server ignores", "luaserve: shutting down"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q line among %s", want, got)
		}
	}
}
