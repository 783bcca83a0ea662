package websocket

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// echoServer serves an echo WebSocket under o; each connection's end (its
// *CloseError) goes to ends.
type echoServer struct {
	addr string
	ends chan *CloseError
	srv  *httpcore.Server
}

func startEcho(t *testing.T, o Options) *echoServer {
	t.Helper()
	es := &echoServer{ends: make(chan *CloseError, 16)}
	es.start(t, o, es.echo)
	return es
}

// start serves WebSockets under o, each on its own goroutine running fn.
func (es *echoServer) start(t *testing.T, o Options, fn func(*Conn)) {
	es.srv = &httpcore.Server{Handler: httpcore.HandlerFunc(func(w *httpcore.ResponseWriter, r *httpcore.Request) {
		c, err := Upgrade(w, r, o)
		if err != nil {
			return
		}
		go fn(c)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go es.srv.Serve(ln)
	t.Cleanup(func() { es.srv.Close() })
	es.addr = ln.Addr().String()
}

// echo sends back every message; "close:<code>" makes the server close.
func (es *echoServer) echo(c *Conn) {
	for {
		k, msg, err := c.ReadMessage()
		if err != nil {
			var ce *CloseError
			errors.As(err, &ce)
			es.ends <- ce
			return
		}
		if s := string(msg); strings.HasPrefix(s, "close:") {
			c.Close(atoi(s[6:]), "asked")
			continue
		}
		c.Send(k, msg)
	}
}

func atoi(s string) int {
	n := 0
	for _, d := range s {
		n = n*10 + int(d-'0')
	}
	return n
}

func (es *echoServer) end(t *testing.T) *CloseError {
	t.Helper()
	select {
	case ce := <-es.ends:
		return ce
	case <-time.After(10 * time.Second):
		t.Fatal("the server's connection did not end")
	}
	return nil
}

// rawClient speaks frames by hand.
type rawClient struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

const handshake = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

// dialRaw sends req (the handshake plus anything after it) and reads the
// response head.
func dialRaw(t *testing.T, addr, req string) (*rawClient, string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	rc := &rawClient{t: t, nc: nc, br: bufio.NewReader(nc)}
	io.WriteString(nc, req)
	head := ""
	for !strings.HasSuffix(head, "\r\n\r\n") {
		line, err := rc.br.ReadString('\n')
		if err != nil {
			t.Fatalf("head %q: %v", head, err)
		}
		head += line
	}
	return rc, head
}

// frame builds a client frame; masked unless told.
func frame(fin bool, op byte, p []byte, masked bool) []byte {
	first := op
	if fin {
		first |= 0x80
	}
	var b []byte
	mbit := byte(0)
	if masked {
		mbit = 0x80
	}
	switch {
	case len(p) <= 125:
		b = append(b, first, mbit|byte(len(p)))
	case len(p) <= 0xFFFF:
		b = append(b, first, mbit|126, byte(len(p)>>8), byte(len(p)))
	default:
		b = binary.BigEndian.AppendUint64(append(b, first, mbit|127), uint64(len(p)))
	}
	if !masked {
		return append(b, p...)
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, key[:]...)
	start := len(b)
	b = append(b, p...)
	unmask(b[start:], key, 0)
	return b
}

func (rc *rawClient) send(frames ...[]byte) {
	for _, f := range frames {
		if _, err := rc.nc.Write(f); err != nil {
			rc.t.Fatal(err)
		}
	}
}

// read reads one server frame: opcode, payload.
func (rc *rawClient) read() (byte, []byte) {
	rc.t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(rc.br, h[:]); err != nil {
		rc.t.Fatalf("read frame: %v", err)
	}
	if h[1]&0x80 != 0 {
		rc.t.Fatal("the server masked a frame")
	}
	n := int(h[1] & 0x7F)
	switch n {
	case 126:
		var l [2]byte
		io.ReadFull(rc.br, l[:])
		n = int(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		io.ReadFull(rc.br, l[:])
		n = int(binary.BigEndian.Uint64(l[:]))
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(rc.br, p); err != nil {
		rc.t.Fatalf("read payload: %v", err)
	}
	return h[0] & 0x0F, p
}

// expectClose reads frames until a close and checks its code; then the
// server closes the connection.
func (rc *rawClient) expectClose(code int) {
	rc.t.Helper()
	for {
		op, p := rc.read()
		if op != opClose {
			continue
		}
		if len(p) < 2 || int(binary.BigEndian.Uint16(p)) != code {
			rc.t.Fatalf("close payload %q, want code %d", p, code)
		}
		break
	}
	if _, err := rc.br.ReadByte(); err == nil {
		rc.t.Fatal("data after the close frame")
	}
}

func closeFrame(code int, reason string) []byte {
	return frame(true, opClose, closePayload(code, reason), true)
}
