// Package tests holds luaserve's end-to-end tests: each starts the engine
// behind httpcore on a loopback port and talks to it through real sockets,
// with net/http as a client and with raw bytes.
package tests

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
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
	"github.com/luaserve/luaserve/store"
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
func startSource(t testing.TB, src string, cfg engine.Config, opts ...func(*httpcore.Server)) *server {
	t.Helper()
	dir := t.TempDir()
	cfg.Script = filepath.Join(dir, "routes.lua")
	if err := os.WriteFile(cfg.Script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return startConfig(t, cfg, opts...)
}

// startConfig serves cfg; opts adjust the core's settings.
func startConfig(t testing.TB, cfg engine.Config, opts ...func(*httpcore.Server)) *server {
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
	for _, o := range opts {
		o(srv)
	}
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

// doErr sends a request and returns the response with its body read. Any
// goroutine may call it.
func doErr(c *http.Client, method, url, body string, headers ...string) (*http.Response, string, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return nil, "", err
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
		return nil, "", fmt.Errorf("%s %s: %w", method, url, err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: reading body: %w", method, url, err)
	}
	return res, string(b), nil
}

// do is doErr that fails the test on an error. Call it only from the
// test's own goroutine: t.Fatal elsewhere does not stop the test.
func do(t testing.TB, c *http.Client, method, url, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	res, b, err := doErr(c, method, url, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// call is a request running on a goroutine of its own, so that the test
// can act while the route runs.
type call struct {
	done chan struct{} // closed when the fields below are set
	res  *http.Response
	body string
	err  error
}

// goDo starts doErr on a new goroutine.
func goDo(c *http.Client, method, url, body string, headers ...string) *call {
	cl := &call{done: make(chan struct{})}
	go func() {
		defer close(cl.done)
		cl.res, cl.body, cl.err = doErr(c, method, url, body, headers...)
	}()
	return cl
}

// wait waits for the call (bounded by the client's timeout) and fails the
// test if it failed. Call it from the test's goroutine.
func (cl *call) wait(t testing.TB) (*http.Response, string) {
	t.Helper()
	<-cl.done
	if cl.err != nil {
		t.Fatal(cl.err)
	}
	return cl.res, cl.body
}

// readOneErr reads one response from br. Any goroutine may call it.
func readOneErr(br *bufio.Reader, method string) (*http.Response, string, error) {
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return nil, "", fmt.Errorf("reading the response to %s: %w", method, err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, "", fmt.Errorf("reading the body of the response to %s: %w", method, err)
	}
	return res, string(b), nil
}

// readOne is readOneErr that fails the test on an error; only from the
// test's own goroutine.
func readOne(t testing.TB, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	res, b, err := readOneErr(br, method)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testStore is the store.Store of tests that must know where a route is:
// a route's store.set(key, value) stores as usual, then lets waitSet(key)
// return, then, if the test holds key, waits in store.set until the test
// releases it (or the request's context ends). It is the one store.Store
// implementation in this package.
type testStore struct {
	store.Store // a store.Memory does the storing

	mu      sync.Mutex
	reached map[string]chan struct{} // closed by the first Set of the key
	held    map[string]chan struct{} // closed by the release hold returned
	deaf    map[string]bool          // held regardless of the request's context
}

func newTestStore() *testStore {
	return &testStore{Store: store.NewMemory(0), reached: map[string]chan struct{}{}, held: map[string]chan struct{}{},
		deaf: map[string]bool{}}
}

// Set stores, signals, and waits while the test holds key, or until the
// request's context ends.
func (s *testStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	err := s.Store.Set(ctx, key, value, ttl)
	s.mu.Lock()
	r := s.reachedLocked(key)
	select {
	case <-r:
	default:
		close(r)
	}
	h, deaf := s.held[key], s.deaf[key]
	s.mu.Unlock()
	if h != nil && deaf {
		<-h // the time limit cannot free the state: Lua waits in Go
	} else if h != nil {
		select {
		case <-h:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return err
}

func (s *testStore) reachedLocked(key string) chan struct{} {
	r, ok := s.reached[key]
	if !ok {
		r = make(chan struct{})
		s.reached[key] = r
	}
	return r
}

// hold makes routes that set key wait until release is called. The test's
// cleanup releases them too, so that no route stays blocked.
func (s *testStore) hold(t testing.TB, key string) (release func()) {
	h := make(chan struct{})
	s.mu.Lock()
	s.held[key] = h
	s.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(h) }) }
	t.Cleanup(release)
	return release
}

// holdDeaf is hold, but the route waits even past its time limit, so that
// its Lua state stays taken until release.
func (s *testStore) holdDeaf(t testing.TB, key string) (release func()) {
	s.mu.Lock()
	s.deaf[key] = true
	s.mu.Unlock()
	return s.hold(t, key)
}

// waitSet waits until a route has set key. It fails the test if the
// request cl ends first without the route having set it, or after 10s.
func (s *testStore) waitSet(t testing.TB, key string, cl *call) {
	t.Helper()
	s.mu.Lock()
	r := s.reachedLocked(key)
	s.mu.Unlock()
	select {
	case <-r:
	case <-cl.done:
		select {
		case <-r:
		default:
			if cl.err != nil {
				t.Fatalf("the request ended before its route set %q: %v", key, cl.err)
			}
			t.Fatalf("the request ended (%d %q) before its route set %q", cl.res.StatusCode, cl.body, key)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no route set %q within 10s", key)
	}
}
