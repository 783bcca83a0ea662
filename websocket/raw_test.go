package websocket

import (
	"strings"
	"testing"
	"time"
)

func TestHandshakeRefusals(t *testing.T) {
	es := startEcho(t, Options{})
	base := "GET /ws HTTP/1.1\r\nHost: x\r\n"
	key := "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	for _, tc := range []struct {
		name, req, status string
	}{
		{"ok", handshake, "101"},
		{"no_upgrade", base + "Connection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n", "426"},
		{"upgrade_other", base + "Upgrade: h2c\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n", "426"},
		{"no_connection_token", base + "Upgrade: websocket\r\nConnection: keep-alive\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n", "400"},
		{"version_8", base + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 8\r\n\r\n", "426"},
		{"no_version", base + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key + "\r\n", "426"},
		{"no_key", base + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", "400"},
		{"short_key", base + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAA\r\nSec-WebSocket-Version: 13\r\n\r\n", "400"},
		{"two_keys", base + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key + key + "Sec-WebSocket-Version: 13\r\n\r\n", "400"},
		{"post", strings.Replace(handshake, "GET", "POST", 1), "400"},
		{"http10", strings.Replace(handshake, "HTTP/1.1", "HTTP/1.0", 1), "400"},
		{"token_list", base + "Upgrade: foo, WebSocket\r\nConnection: keep-alive, upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n", "101"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, head := dialRaw(t, es.addr, tc.req)
			if !strings.HasPrefix(head, "HTTP/1.1 "+tc.status+" ") {
				t.Fatalf("head %q, want %s", head, tc.status)
			}
			if tc.status == "101" && !strings.Contains(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") {
				t.Fatalf("head %q lacks the RFC's example accept key", head)
			}
			if tc.name == "version_8" && !strings.Contains(head, "Sec-WebSocket-Version: 13\r\n") {
				t.Fatalf("426 %q does not name the version", head)
			}
		})
	}
}

// TestFirstFrameWithHandshake: a frame sent in the handshake's packet is
// not lost in the HTTP read buffer.
func TestFirstFrameWithHandshake(t *testing.T) {
	es := startEcho(t, Options{})
	rc, _ := dialRaw(t, es.addr, handshake+string(frame(true, opText, []byte("early"), true)))
	if op, p := rc.read(); op != opText || string(p) != "early" {
		t.Fatalf("got %d %q", op, p)
	}
}

// TestFragmentsWithControlFrames: a ping between fragments is answered at
// once and the message arrives whole.
func TestFragmentsWithControlFrames(t *testing.T) {
	es := startEcho(t, Options{})
	rc, _ := dialRaw(t, es.addr, handshake)
	rc.send(frame(false, opText, []byte("hel"), true), frame(true, opPing, []byte("p1"), true),
		frame(false, opContinuation, []byte("lo "), true), frame(true, opPong, nil, true),
		frame(true, opContinuation, []byte("wörld"), true))
	if op, p := rc.read(); op != opPong || string(p) != "p1" {
		t.Fatalf("got %d %q, want the pong", op, p)
	}
	if op, p := rc.read(); op != opText || string(p) != "hello wörld" {
		t.Fatalf("got %d %q", op, p)
	}
	big := strings.Repeat("b", 70000) // a 64-bit length
	rc.send(frame(true, opBinary, []byte(big), true))
	if op, p := rc.read(); op != opBinary || string(p) != big {
		t.Fatalf("got %d, %d bytes", op, len(p))
	}
	rc.send(closeFrame(4001, "done"))
	rc.expectClose(4001)
	if ce := es.end(t); ce.Code != 4001 || ce.Reason != "done" || !ce.Remote {
		t.Fatalf("server saw %+v", ce)
	}
}

// TestProtocolViolations: each gets its close code, and the server
// closes the connection.
func TestProtocolViolations(t *testing.T) {
	es := startEcho(t, Options{MaxMessage: 1000})
	cases := []struct {
		name   string
		frames [][]byte
		code   int
	}{
		{"unmasked", [][]byte{frame(true, opText, []byte("hi"), false)}, CloseProtocolError},
		{"bad_utf8", [][]byte{frame(true, opText, []byte{'a', 0xff, 'b'}, true)}, CloseInvalidData},
		{"bad_utf8_split", [][]byte{frame(false, opText, []byte{0xe2, 0x82}, true), frame(true, opContinuation, []byte{'x'}, true)}, CloseInvalidData},
		{"oversize_frame", [][]byte{frame(true, opBinary, make([]byte, 1001), true)}, CloseTooBig},
		// A declared length of 1 TiB, nothing after it: refused before any allocation.
		{"huge_declared", [][]byte{{0x82, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4}}, CloseTooBig},
		{"negative_length", [][]byte{{0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}}, CloseProtocolError},
		{"oversize_fragments", [][]byte{frame(false, opBinary, make([]byte, 600), true), frame(true, opContinuation, make([]byte, 600), true)}, CloseTooBig},
		{"lone_continuation", [][]byte{frame(true, opContinuation, []byte("x"), true)}, CloseProtocolError},
		{"message_in_message", [][]byte{frame(false, opText, []byte("a"), true), frame(true, opText, []byte("b"), true)}, CloseProtocolError},
		{"fragmented_ping", [][]byte{frame(false, opPing, nil, true)}, CloseProtocolError},
		{"long_ping", [][]byte{frame(true, opPing, make([]byte, 126), true)}, CloseProtocolError},
		{"reserved_bits", [][]byte{append([]byte{0xC1}, frame(true, opText, []byte("x"), true)[1:]...)}, CloseProtocolError},
		{"unknown_opcode", [][]byte{frame(true, 0x3, nil, true)}, CloseProtocolError},
		{"close_1005", [][]byte{frame(true, opClose, []byte{0x03, 0xED}, true)}, CloseProtocolError},
		{"close_one_byte", [][]byte{frame(true, opClose, []byte{3}, true)}, CloseProtocolError},
		{"close_bad_reason", [][]byte{frame(true, opClose, []byte{3, 232, 0xff}, true)}, CloseInvalidData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc, _ := dialRaw(t, es.addr, handshake)
			rc.send(tc.frames...)
			rc.expectClose(tc.code)
		})
	}
	for range cases {
		if ce := es.end(t); ce.Remote || ce.Code < 1002 {
			t.Errorf("server saw %+v", ce)
		}
	}
}

// TestPingTimeout: a silent peer is pinged, and closed when it stays silent.
func TestPingTimeout(t *testing.T) {
	es := startEcho(t, Options{PingInterval: 100 * time.Millisecond})
	rc, _ := dialRaw(t, es.addr, handshake)
	if op, _ := rc.read(); op != opPing {
		t.Fatalf("got opcode %d, want a ping", op)
	}
	rc.send(frame(true, opPong, nil, true)) // alive: pinged again later
	if op, _ := rc.read(); op != opPing {
		t.Fatalf("got opcode %d, want a second ping", op)
	}
	if ce := es.end(t); ce.Code != CloseAbnormal {
		t.Fatalf("server saw %+v, want 1006", ce)
	}
	if _, err := rc.br.ReadByte(); err == nil {
		t.Fatal("the connection stayed open")
	}
}

// TestServerClose: the server's close goes out after the queued messages
// and ends its reader when the peer answers.
func TestServerClose(t *testing.T) {
	es := startEcho(t, Options{})
	rc, _ := dialRaw(t, es.addr, handshake)
	rc.send(frame(true, opText, []byte("one"), true), frame(true, opText, []byte("close:4002"), true))
	if _, p := rc.read(); string(p) != "one" {
		t.Fatalf("got %q", p)
	}
	op, p := rc.read()
	if op != opClose || string(p[2:]) != "asked" || int(p[0])<<8|int(p[1]) != 4002 {
		t.Fatalf("got %d %q", op, p)
	}
	rc.send(closeFrame(4002, ""))
	if ce := es.end(t); ce.Code != 4002 || ce.Remote {
		t.Fatalf("server saw %+v", ce)
	}
}
