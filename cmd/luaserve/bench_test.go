package main

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/metrics"
)

// benchDeployed serves bench/routes.lua behind the access log (to a
// discarding line buffer), with metrics when m is not nil, and returns a
// function sending 16 pipelined hello requests and reading the answers.
func benchDeployed(b *testing.B, m *metrics.Metrics) func() {
	lines := newLineBuffer(io.Discard)
	b.Cleanup(func() { lines.Close() })
	return benchHello(b, func(eng *engine.Engine) httpcore.Handler {
		al := newAccessLog(eng, "text", lines)
		al.metrics = m
		return al
	})
}

// benchHello serves bench/routes.lua through the handler front makes of
// the engine and returns benchDeployed's function.
func benchHello(b *testing.B, front func(*engine.Engine) httpcore.Handler) func() {
	b.Setenv("BENCH_STATIC_DIR", b.TempDir())
	eng, err := engine.New(engine.Config{Script: filepath.Join("..", "..", "bench", "routes.lua"), Workers: 4,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &httpcore.Server{Handler: front(eng), Name: "luaserve", RequestIDs: true, SendRequestID: true}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close(); eng.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	var req []byte
	for range 16 {
		req = append(req, "GET /hello HTTP/1.1\r\nHost: b\r\n\r\n"...)
	}
	buf := make([]byte, 64<<10)
	// Responses differ in length as request ids grow: read until 16 are in.
	return func() {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		n, got := 0, 0
		for got < 16 {
			k, err := c.Read(buf[n:])
			if err != nil {
				b.Fatal(err)
			}
			for _, ch := range buf[n : n+k] {
				if ch == '!' { // "Hello, World!" ends each body
					got++
				}
			}
			n = (n + k) % (len(buf) / 2)
		}
	}
}

// BenchmarkDeployedHello and BenchmarkDeployedHelloMetrics: the hello
// route as the command serves it (access log, request ids), without and
// with -admin-addr's metrics.
func BenchmarkDeployedHello(b *testing.B) {
	do := benchDeployed(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		do()
	}
}

func BenchmarkDeployedHelloMetrics(b *testing.B) {
	do := benchDeployed(b, metrics.New())
	b.ReportAllocs()
	for b.Loop() {
		do()
	}
}

// BenchmarkQuietHello and BenchmarkQuietHelloMetrics: the same with
// -quiet (no access log), where the metrics read the clock themselves.
func BenchmarkQuietHello(b *testing.B) {
	do := benchHello(b, func(eng *engine.Engine) httpcore.Handler { return eng })
	b.ReportAllocs()
	for b.Loop() {
		do()
	}
}

func BenchmarkQuietHelloMetrics(b *testing.B) {
	m := metrics.New()
	do := benchHello(b, func(eng *engine.Engine) httpcore.Handler { return m.Handler(eng) })
	b.ReportAllocs()
	for b.Loop() {
		do()
	}
}

// bigJSON is the json route with a 26 KB body: 360 users.
const bigJSON = `local app = require("luaserve")
local users = {}
for i = 1, 360 do
  users[i] = { id = i, name = "user-" .. i, email = "user-" .. i .. "@example.com", active = i % 3 ~= 0 }
end
app.get("/big", function() return { json = users } end)
`

// benchBigJSON serves bigJSON as the command does (access log, request
// ids, compression from 1 KiB) and sends GET /big with accept as
// Accept-Encoding, one request at a time on a kept-alive connection,
// reporting the bytes of each response on the wire.
func benchBigJSON(b *testing.B, accept string) {
	dir := b.TempDir()
	script := filepath.Join(dir, "routes.lua")
	os.WriteFile(script, []byte(bigJSON), 0o644)
	eng, err := engine.New(engine.Config{Script: script, Workers: 4, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	lines := newLineBuffer(io.Discard)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &httpcore.Server{Handler: newAccessLog(eng, "text", lines), RequestIDs: true, SendRequestID: true, CompressMin: 1024}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close(); eng.Close(); lines.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cr := &countReader{r: c}
	br := bufio.NewReaderSize(cr, 64<<10)
	req := []byte("GET /big HTTP/1.1\r\nHost: b\r\n" + accept + "\r\n")
	b.ReportAllocs()
	for b.Loop() {
		c.Write(req)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	b.ReportMetric(float64(cr.n)/float64(b.N), "wire-B/op")
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func BenchmarkBigJSONIdentity(b *testing.B) { benchBigJSON(b, "") }
func BenchmarkBigJSONGzip(b *testing.B)     { benchBigJSON(b, "Accept-Encoding: gzip\r\n") }
