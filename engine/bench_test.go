package engine

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/internal/gcpace"
	"github.com/luaserve/luaserve/metrics"
)

// benchServer serves the bench routes (bench/routes.lua) on loopback.
func benchServer(b testing.TB) string {
	return benchServerDB(b, nil)
}

// benchServerDB is benchServer with the database d (nil: in memory).
func benchServerDB(b testing.TB, d *db.Lazy) string { return benchServerWrap(b, d, nil) }

// benchServerWrap is benchServerDB with the engine behind wrap (metrics,
// say) when wrap is not nil.
func benchServerWrap(b testing.TB, d *db.Lazy, wrap func(httpcore.Handler) httpcore.Handler) string {
	b.Helper()
	paceLikeCommand()
	if os.Getenv("BENCH_STATIC_DIR") == "" {
		b.Setenv("BENCH_STATIC_DIR", b.TempDir())
	}
	eng, err := New(Config{Script: filepath.Join("..", "bench", "routes.lua"), Workers: 4,
		Log: slog.New(slog.DiscardHandler), DB: d})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var h httpcore.Handler = eng
	if wrap != nil {
		h = wrap(eng)
	}
	srv := &httpcore.Server{Handler: h, Name: "luaserve"}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close(); eng.Close() })
	return ln.Addr().String()
}

// paceLikeCommand sets the garbage collector as the command does by
// default (GOGC 400 and a 64 MiB floor, cmd/luaserve/memory.go), unless
// GOGC is set: GOGC=100 or GOGC=400 measure without the pacer.
var paceLikeCommand = sync.OnceFunc(func() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
		gcpace.Start(64<<20, 400)
	}
})

// roundTrip sends req on one keep-alive connection and reads a response of
// the size the first exchange had.
type roundTrip struct {
	c    net.Conn
	req  []byte
	resp []byte
}

func newRoundTrip(b testing.TB, addr, req string) *roundTrip {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	c.Write([]byte(req))
	buf := make([]byte, 64<<10)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		b.Fatal(err)
	}
	c.SetReadDeadline(time.Time{})
	return &roundTrip{c: c, req: []byte(req), resp: buf[:n]}
}

func (rt *roundTrip) do(b testing.TB) {
	if _, err := rt.c.Write(rt.req); err != nil {
		b.Fatal(err)
	}
	if _, err := io.ReadFull(rt.c, rt.resp); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLuaHello: one request through a Lua "hello" route (request table
// in, response out) over a keep-alive loopback connection, client included.
func BenchmarkLuaHello(b *testing.B) {
	rt := newRoundTrip(b, benchServer(b), "GET /hello HTTP/1.1\r\nHost: b\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkLuaJSON: a path parameter, a query field and a JSON encode in Lua.
func BenchmarkLuaJSON(b *testing.B) {
	rt := newRoundTrip(b, benchServer(b), "GET /users/42?fields=name,email HTTP/1.1\r\nHost: b\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkStatic4K: a 4 KiB file from an app.static mount.
func BenchmarkStatic4K(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "4k.txt"), make([]byte, 4096), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Setenv("BENCH_STATIC_DIR", dir)
	rt := newRoundTrip(b, benchServer(b), "GET /static/4k.txt HTTP/1.1\r\nHost: b\r\n\r\n")
	for len(rt.resp) < 4096 { // the first read may stop short of the body
		b.Fatalf("short first response: %d bytes", len(rt.resp))
	}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// pipelined repeats a request n times in one write, so that the profile of
// a benchmark shows the engine rather than the syscalls around it.
func pipelined(req string, n int) string {
	var b []byte
	for range n {
		b = append(b, req...)
	}
	return string(b)
}

// BenchmarkLuaHelloPipelined: 16 pipelined hello requests per iteration.
func BenchmarkLuaHelloPipelined(b *testing.B) {
	addr := benchServer(b)
	one := newRoundTrip(b, addr, "GET /hello HTTP/1.1\r\nHost: b\r\n\r\n")
	rt := &roundTrip{c: one.c, req: []byte(pipelined(string(one.req), 16)), resp: make([]byte, 16*len(one.resp))}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkLuaHelloPipelinedMetrics is BenchmarkLuaHelloPipelined counted
// by the admin listener's metrics, with request ids generated and sent, as
// the command serves with -admin-addr.
func BenchmarkLuaHelloPipelinedMetrics(b *testing.B) {
	addr := benchServerWrap(b, nil, func(h httpcore.Handler) httpcore.Handler { return metrics.New().Handler(h) })
	one := newRoundTrip(b, addr, "GET /hello HTTP/1.1\r\nHost: b\r\n\r\n")
	rt := &roundTrip{c: one.c, req: []byte(pipelined(string(one.req), 16)), resp: make([]byte, 16*len(one.resp))}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkLuaJSONPipelined: 16 pipelined json requests per iteration.
func BenchmarkLuaJSONPipelined(b *testing.B) {
	addr := benchServer(b)
	one := newRoundTrip(b, addr, "GET /users/42?fields=name,email HTTP/1.1\r\nHost: b\r\n\r\n")
	rt := &roundTrip{c: one.c, req: []byte(pipelined(string(one.req), 16)), resp: make([]byte, 16*len(one.resp))}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkLuaDBRow: the harness's db scenario in process: a Lua route
// reads one row by primary key from a SQLite file (WAL, readers) with a
// cached prepared statement and returns it as JSON.
func BenchmarkLuaDBRow(b *testing.B) {
	d, err := db.OpenSQLite(filepath.Join(b.TempDir(), "bench.db"), db.SQLiteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	lazy := db.Opened(d)
	b.Cleanup(func() { lazy.Close() })
	rt := newRoundTrip(b, benchServerDB(b, lazy), "GET /db/42 HTTP/1.1\r\nHost: b\r\n\r\n")
	if !bytes.HasSuffix(rt.resp, []byte(`{"id":42,"name":"user-42","email":"user-42@example.com"}`)) {
		b.Fatalf("response %q", rt.resp)
	}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// jwtRequest is the /jwt request of the bench routes: the json route's
// path and query, with the route's bearer token.
func jwtRequest(b testing.TB, addr string) string {
	tok := newRoundTrip(b, addr, "GET /jwt/token HTTP/1.1\r\nHost: b\r\n\r\n")
	_, body, ok := strings.Cut(string(tok.resp), "\r\n\r\n")
	if !ok || strings.Count(body, ".") != 2 {
		b.Fatalf("no token: %q", tok.resp)
	}
	return "GET /jwt?fields=name,email HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer " + body + "\r\n\r\n"
}

// BenchmarkLuaJWT: BenchmarkLuaJSON's route behind an HS256 bearer token
// that jwt.verify checks.
func BenchmarkLuaJWT(b *testing.B) {
	addr := benchServer(b)
	rt := newRoundTrip(b, addr, jwtRequest(b, addr))
	if !strings.HasPrefix(string(rt.resp), "HTTP/1.1 200 ") {
		b.Fatalf("refused: %q", rt.resp)
	}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkLuaJWTPipelined: 16 pipelined jwt requests per iteration.
func BenchmarkLuaJWTPipelined(b *testing.B) {
	addr := benchServer(b)
	one := newRoundTrip(b, addr, jwtRequest(b, addr))
	if !strings.HasPrefix(string(one.resp), "HTTP/1.1 200 ") {
		b.Fatalf("refused: %q", one.resp)
	}
	rt := &roundTrip{c: one.c, req: []byte(pipelined(string(one.req), 16)), resp: make([]byte, 16*len(one.resp))}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkLuaHelloHookedPipelined: the hello route of a script with an
// after hook that sets a header and a CORS policy, 16 pipelined requests
// per iteration: what hooks cost when a script has them.
func BenchmarkLuaHelloHookedPipelined(b *testing.B) {
	eng, err := New(Config{Script: filepath.Join(b.TempDir(), "routes.lua"), Workers: 4, Log: slog.New(slog.DiscardHandler),
		Source: []byte(`local app = require("luaserve")
app.cors{ origins = "*" }
app.after(function(req, res) res:set_header("X-Request-Id", "r1") end)
app.get("/hello", function() return "Hello, World!" end)`)})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &httpcore.Server{Handler: eng, Name: "luaserve"}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close(); eng.Close() })
	one := newRoundTrip(b, ln.Addr().String(), "GET /hello HTTP/1.1\r\nHost: b\r\n\r\n")
	rt := &roundTrip{c: one.c, req: []byte(pipelined(string(one.req), 16)), resp: make([]byte, 16*len(one.resp))}
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}
