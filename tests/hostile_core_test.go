package tests

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
)

const hostileRoutes = `
local app = require("luaserve")
app.get("/ok", function() return "ok" end)
app.post("/ignore", function() return "ignored" end)
`

// TestSilentConnectionsDoNotLockOut: connections that never send a byte
// neither hold the server for the idle timeout nor keep a real client out
// at MaxConns.
func TestSilentConnectionsDoNotLockOut(t *testing.T) {
	t.Parallel()
	s := startSource(t, hostileRoutes, engine.Config{}, func(srv *httpcore.Server) {
		srv.MaxConns = 4
		srv.ReadHeaderTimeout = 5 * time.Second
		srv.IdleTimeout = time.Minute
	})
	for range 8 { // twice MaxConns
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	c := client(t)
	for range 3 {
		if res, body := do(t, c, "GET", s.url+"/ok", ""); res.StatusCode != 200 || body != "ok" {
			t.Fatalf("%d %q, want the route's answer", res.StatusCode, body)
		}
	}
}

// TestIgnoredLargeBodyStillAnswered: a route that ignores an 8 MiB upload
// still gets its answer to a client that reads only after sending it all.
func TestIgnoredLargeBodyStillAnswered(t *testing.T) {
	t.Parallel()
	s := startSource(t, hostileRoutes, engine.Config{})
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	body := bytes.Repeat([]byte("u"), 8<<20) // more than loopback socket buffers absorb
	io.WriteString(c, "POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
	if _, err := c.Write(body); err != nil {
		t.Fatalf("sending the body: %v", err)
	}
	res, got := readOne(t, bufio.NewReader(c), "POST")
	if res.StatusCode != 200 || got != "ignored" {
		t.Fatalf("%d %q, want 200 ignored", res.StatusCode, got)
	}
}
