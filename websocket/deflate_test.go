package websocket

import (
	"bytes"
	"compress/flate"
	"context"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"
)

// TestDeflateWithCoderClient: an established client negotiates
// permessage-deflate, in both of its modes, and messages small and large,
// text and binary, round-trip.
func TestDeflateWithCoderClient(t *testing.T) {
	es := startEcho(t, Options{Compression: true, MaxMessage: 4 << 20})
	for _, mode := range []cws.CompressionMode{cws.CompressionNoContextTakeover, cws.CompressionContextTakeover} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, res, err := cws.Dial(ctx, "ws://"+es.addr+"/ws", &cws.DialOptions{CompressionMode: mode, CompressionThreshold: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		c.SetReadLimit(8 << 20)
		if got := res.Header.Get("Sec-WebSocket-Extensions"); got != deflateAnswer {
			t.Fatalf("mode %v: extensions %q", mode, got)
		}
		for _, m := range []string{"x", strings.Repeat("compress me ", 10000), strings.Repeat("é", 300000)} {
			for _, typ := range []cws.MessageType{cws.MessageText, cws.MessageBinary} {
				if err := c.Write(ctx, typ, []byte(m)); err != nil {
					t.Fatal(err)
				}
				gotTyp, got, err := c.Read(ctx)
				if err != nil || gotTyp != typ || string(got) != m {
					t.Fatalf("mode %v: echo of %d bytes: %v %d bytes %v", mode, len(m), gotTyp, len(got), err)
				}
			}
		}
		c.Close(cws.StatusNormalClosure, "")
	}
}

// TestDeflateNotNegotiated: without the option, or with a window the
// server cannot honour, the answer offers no extension.
func TestDeflateNotNegotiated(t *testing.T) {
	off := startEcho(t, Options{})
	on := startEcho(t, Options{Compression: true})
	offer := func(addr, ext string) string {
		_, head := dialRaw(t, addr, strings.Replace(handshake, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: "+ext+"\r\n\r\n", 1))
		return head
	}
	if h := offer(off.addr, "permessage-deflate"); strings.Contains(h, "Extensions") {
		t.Fatalf("compression off: %q", h)
	}
	if h := offer(on.addr, "permessage-deflate; server_max_window_bits=10"); strings.Contains(h, "Extensions") {
		t.Fatalf("small server window accepted: %q", h)
	}
	if h := offer(on.addr, "x-webkit-deflate-frame"); strings.Contains(h, "Extensions") {
		t.Fatalf("unknown extension accepted: %q", h)
	}
	if h := offer(on.addr, "permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits"); !strings.Contains(h, deflateAnswer) {
		t.Fatalf("the second, acceptable offer was not taken: %q", h)
	}
}

func deflated(p []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(p)
	w.Flush()
	return bytes.TrimSuffix(b.Bytes(), deflateTail)
}

// TestDeflateViolations: a bomb past MaxMessage once inflated (1009),
// compressed data that is not deflate (1007), RSV1 on a continuation
// frame (1002).
func TestDeflateViolations(t *testing.T) {
	es := startEcho(t, Options{Compression: true, MaxMessage: 1 << 20})
	req := strings.Replace(handshake, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 1)
	withRSV1 := func(f []byte) []byte { f[0] |= rsv1; return f }
	bomb := deflated(make([]byte, 8<<20)) // 8 MiB of zeros, a few KiB on the wire
	for _, tc := range []struct {
		name   string
		frames [][]byte
		code   int
	}{
		{"bomb", [][]byte{withRSV1(frame(true, opBinary, bomb, true))}, CloseTooBig},
		{"garbage", [][]byte{withRSV1(frame(true, opText, []byte{0xff, 0xff, 0xff, 0xff, 0xff}, true))}, CloseInvalidData},
		{"rsv1_continuation", [][]byte{frame(false, opText, []byte("a"), true), withRSV1(frame(true, opContinuation, []byte("b"), true))}, CloseProtocolError},
		{"rsv1_ping", [][]byte{withRSV1(frame(true, opPing, nil, true))}, CloseProtocolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc, head := dialRaw(t, es.addr, req)
			if !strings.Contains(head, deflateAnswer) {
				t.Fatalf("not negotiated: %q", head)
			}
			rc.send(tc.frames...)
			rc.expectClose(tc.code)
		})
	}
	// A compressed message split over frames inflates whole.
	rc, _ := dialRaw(t, es.addr, req)
	z := deflated([]byte("hello fragmented deflate"))
	rc.send(withRSV1(frame(false, opText, z[:3], true)), frame(true, opContinuation, z[3:], true))
	if op, p := rc.read(); op != opText || string(p) != "hello fragmented deflate" {
		t.Fatalf("got %d %q", op, p)
	}
}
