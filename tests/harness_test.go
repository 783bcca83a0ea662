// Package tests holds luaserve's end-to-end tests: each starts the engine
// behind httpcore on a loopback port and talks to it through real sockets,
// with net/http as a client and with raw bytes.
package tests

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
)

// server is a running luaserve: engine and core on 127.0.0.1.
type server struct {
	addr string
	url  string
	eng  *engine.Engine
	srv  *httpcore.Server
	logs *syncBuffer
}

// syncBuffer collects the server log safely across goroutines.
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

// start serves the script at path (relative to tests/testdata) with cfg's
// other settings.
func start(t testing.TB, path string, cfg engine.Config) *server {
	t.Helper()
	cfg.Script = filepath.Join("testdata", path)
	return startConfig(t, cfg)
}

// startSource serves Lua source written to a temporary script file.
func startSource(t testing.TB, src string, cfg engine.Config) *server {
	t.Helper()
	dir := t.TempDir()
	cfg.Script = filepath.Join(dir, "routes.lua")
	if err := os.WriteFile(cfg.Script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return startConfig(t, cfg)
}

func startConfig(t testing.TB, cfg engine.Config) *server {
	t.Helper()
	logs := &syncBuffer{}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpcore.Server{Handler: eng, Name: "luaserve", ErrorLog: cfg.Log}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, httpcore.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
		eng.Close()
	})
	addr := ln.Addr().String()
	return &server{addr: addr, url: "http://" + addr, eng: eng, srv: srv, logs: logs}
}

// client is an http.Client that keeps nothing between tests.
func client(t testing.TB) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends a request and returns the response with its body read.
func do(t testing.TB, c *http.Client, method, url, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return res, string(b)
}

// readOne reads one response from br.
func readOne(t testing.TB, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
