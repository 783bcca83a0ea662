package websocket

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/luaserve/luaserve/httpcore"
)

func dialCoder(t *testing.T, addr string) (*cws.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	c, _, err := cws.Dial(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	c.SetReadLimit(4 << 20)
	return c, ctx
}

// TestCoderClient: an established client echoes text, binary, a message
// written in fragments, and ends with its close code.
func TestCoderClient(t *testing.T) {
	es := startEcho(t, Options{})
	c, ctx := dialCoder(t, es.addr)
	for _, m := range []struct {
		typ  cws.MessageType
		data string
	}{{cws.MessageText, "héllo"}, {cws.MessageBinary, "\x00\x01\xff"}, {cws.MessageText, strings.Repeat("x", 1<<20)}} {
		if err := c.Write(ctx, m.typ, []byte(m.data)); err != nil {
			t.Fatal(err)
		}
		typ, got, err := c.Read(ctx)
		if err != nil || typ != m.typ || string(got) != m.data {
			t.Fatalf("echo: %v %d bytes %v", typ, len(got), err)
		}
	}
	w, err := c.Writer(ctx, cws.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"frag", "ment", "ed"} {
		w.Write([]byte(part)) // each Write is a frame
	}
	w.Close()
	if _, got, err := c.Read(ctx); err != nil || string(got) != "fragmented" {
		t.Fatalf("fragmented echo %q %v", got, err)
	}
	if err := c.Close(4003, "bye"); err != nil {
		t.Fatal(err)
	}
	if ce := es.end(t); ce.Code != 4003 || ce.Reason != "bye" || !ce.Remote {
		t.Fatalf("server saw %+v", ce)
	}
}

func TestCoderClientSeesServerClose(t *testing.T) {
	es := startEcho(t, Options{})
	c, ctx := dialCoder(t, es.addr)
	c.Write(ctx, cws.MessageText, []byte("close:1001"))
	_, _, err := c.Read(ctx)
	if cws.CloseStatus(err) != cws.StatusGoingAway {
		t.Fatalf("read %v, want 1001", err)
	}
	if ce := es.end(t); ce.Code != 1001 || ce.Remote {
		t.Fatalf("server saw %+v", ce)
	}
}

func TestCoderClientOversize(t *testing.T) {
	es := startEcho(t, Options{MaxMessage: 100})
	c, ctx := dialCoder(t, es.addr)
	c.Write(ctx, cws.MessageBinary, bytes.Repeat([]byte{1}, 101))
	_, _, err := c.Read(ctx)
	if cws.CloseStatus(err) != cws.StatusMessageTooBig {
		t.Fatalf("read %v, want 1009", err)
	}
}

func TestCoderPing(t *testing.T) {
	es := startEcho(t, Options{})
	c, ctx := dialCoder(t, es.addr)
	ctx = c.CloseRead(ctx) // a reader, for the pong
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// TestSlowReader: a peer that reads nothing is disconnected once the send
// queue passes its bound: Send fails with ErrSlowReader instead of
// blocking or buffering without end, and the connection ends.
func TestSlowReader(t *testing.T) {
	sent := make(chan error, 1)
	es := &echoServer{ends: make(chan *CloseError, 1)}
	es.start(t, Options{SendQueue: 64 << 10, WriteTimeout: time.Second}, func(c *Conn) {
		chunk := make([]byte, 16<<10)
		var err error
		for i := 0; i < 20000 && err == nil; i++ { // at most 320 MB: far past any socket buffer
			err = c.Send(Binary, chunk)
		}
		sent <- err
		es.echo(c)
	})
	dialRaw(t, es.addr, handshake) // and never read
	select {
	case err := <-sent:
		if !errors.Is(err, ErrSlowReader) {
			t.Fatalf("Send: %v, want ErrSlowReader", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send blocked")
	}
	es.end(t)
}

// TestSendAfterWriteTimeout: a connection quiet for longer than the
// write timeout still sends (no stale deadline fails the next write).
func TestSendAfterWriteTimeout(t *testing.T) {
	conns := make(chan *Conn, 1)
	es := &echoServer{ends: make(chan *CloseError, 1)}
	es.start(t, Options{WriteTimeout: 50 * time.Millisecond}, func(c *Conn) {
		conns <- c
		es.echo(c)
	})
	rc, _ := dialRaw(t, es.addr, handshake)
	c := <-conns
	c.Send(Text, []byte("one"))
	if _, p := rc.read(); string(p) != "one" {
		t.Fatalf("got %q", p)
	}
	time.Sleep(100 * time.Millisecond) // past the write timeout: the point of the test
	c.Send(Text, []byte("two"))
	if _, p := rc.read(); string(p) != "two" {
		t.Fatalf("got %q", p)
	}
}

// TestSubprotocol: the first protocol the client offers that the server
// supports is answered; none matching, none is named.
func TestSubprotocol(t *testing.T) {
	sel := &echoServer{ends: make(chan *CloseError, 4)}
	sel.srv = &httpcore.Server{Handler: httpcore.HandlerFunc(func(w *httpcore.ResponseWriter, r *httpcore.Request) {
		c, err := Upgrade(w, r, Options{Protocol: SelectProtocol(r, []string{"v1", "v2"})})
		if err == nil {
			go sel.echo(c)
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go sel.srv.Serve(ln)
	t.Cleanup(func() { sel.srv.Close() })
	for _, tc := range []struct {
		offer []string
		want  string
	}{{[]string{"v2", "v1"}, "v2"}, {[]string{"x", "v1"}, "v1"}, {nil, ""}} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, _, err := cws.Dial(ctx, "ws://"+ln.Addr().String()+"/ws", &cws.DialOptions{Subprotocols: tc.offer})
		if err != nil {
			t.Fatalf("%v: %v", tc.offer, err)
		}
		if got := c.Subprotocol(); got != tc.want {
			t.Errorf("offer %v: %q, want %q", tc.offer, got, tc.want)
		}
		c.CloseNow()
		cancel()
	}
	_, head := dialRaw(t, ln.Addr().String(), strings.Replace(handshake, "\r\n\r\n", "\r\nSec-WebSocket-Protocol: nope\r\n\r\n", 1))
	if strings.Contains(head, "Sec-WebSocket-Protocol") {
		t.Fatalf("named a protocol the client did not offer: %q", head)
	}
}
