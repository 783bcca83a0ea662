package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"

	"github.com/luaserve/luaserve/httpcore"
)

// HandshakeError is a refused opening handshake: Status (400, 426) and a
// reason safe to send.
type HandshakeError struct {
	Status int
	Reason string
}

func (e *HandshakeError) Error() string { return "websocket: " + e.Reason }

// Check validates a request as an opening handshake (RFC 6455, section
// 4.2.1) and returns nil or the *HandshakeError to answer: 400 for a
// malformed one, 426 (with the version we speak) for another version.
func Check(r *httpcore.Request) *HandshakeError {
	switch {
	case string(r.Method) != "GET":
		return &HandshakeError{400, "the handshake must be a GET"}
	case r.ProtoMinor < 1:
		return &HandshakeError{400, "the handshake needs HTTP/1.1"}
	case !headerHasToken(&r.Header, "Upgrade", "websocket"):
		return &HandshakeError{426, "Upgrade: websocket expected"}
	case !headerHasToken(&r.Header, "Connection", "upgrade"):
		return &HandshakeError{400, "Connection: Upgrade expected"}
	case r.Header.Count("Sec-WebSocket-Version") != 1 || string(r.Header.Get("Sec-WebSocket-Version")) != "13":
		return &HandshakeError{426, "Sec-WebSocket-Version: 13 expected"}
	case r.ContentLength != 0:
		return &HandshakeError{400, "the handshake has no body"}
	}
	if r.Header.Count("Sec-WebSocket-Key") != 1 {
		return &HandshakeError{400, "one Sec-WebSocket-Key expected"}
	}
	key, err := base64.StdEncoding.DecodeString(string(r.Header.Get("Sec-WebSocket-Key")))
	if err != nil || len(key) != 16 {
		return &HandshakeError{400, "Sec-WebSocket-Key must be 16 bytes in base64"}
	}
	return nil
}

// Refuse answers a failed handshake through w.
func Refuse(w *httpcore.ResponseWriter, e *HandshakeError) {
	w.Reset()
	h := w.Header()
	if e.Status == 426 {
		h.Set("Sec-WebSocket-Version", "13")
		h.Set("Upgrade", "websocket")
		h.Set("Connection", "Upgrade")
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(e.Status)
	w.WriteString(e.Reason + "\n")
}

// AcceptKey is the Sec-WebSocket-Accept answer to a client's key.
func AcceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// ErrNotWebSocket is Upgrade's error after it answered a bad handshake.
var ErrNotWebSocket = errors.New("websocket: not a valid handshake")

// Upgrade completes the opening handshake of r: it checks it (answering
// 400 or 426 through w and returning an error wrapping the
// *HandshakeError), takes the connection over, writes the 101 answer and
// returns the Conn. Call it in the handler, on its goroutine.
func Upgrade(w *httpcore.ResponseWriter, r *httpcore.Request, o Options) (*Conn, error) {
	if he := Check(r); he != nil {
		Refuse(w, he)
		return nil, errors.Join(ErrNotWebSocket, he)
	}
	accept := AcceptKey(string(r.Header.Get("Sec-WebSocket-Key")))
	nc, rest, err := w.Hijack()
	if err != nil {
		return nil, err
	}
	return newConn(nc, rest, o, accept, o.Compression && acceptDeflate(&r.Header))
}

// SelectProtocol picks the subprotocol to speak: the first the client
// offers (Sec-WebSocket-Protocol, in its order of preference) that
// supported lists; "" when none matches or none is offered (RFC 6455,
// section 4.2.2: the answer then names none, and a client that needs one
// gives up).
func SelectProtocol(r *httpcore.Request, supported []string) string {
	chosen := ""
	r.Header.Values("Sec-WebSocket-Protocol", func(v []byte) {
		for len(v) > 0 && chosen == "" {
			var item []byte
			item, v = httpcore.NextListItem(v)
			for _, p := range supported {
				if string(item) == p {
					chosen = p
					break
				}
			}
		}
	})
	return chosen
}

// handshakeAnswer is the 101 response.
func handshakeAnswer(accept string, deflate bool, protocol string) []byte {
	b := make([]byte, 0, 240)
	b = append(b, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	b = append(b, accept...)
	if deflate {
		b = append(append(b, "\r\nSec-WebSocket-Extensions: "...), deflateAnswer...)
	}
	if protocol != "" {
		b = append(append(b, "\r\nSec-WebSocket-Protocol: "...), protocol...)
	}
	return append(b, "\r\n\r\n"...)
}

// headerHasToken reports whether a comma-separated field name holds token
// (ASCII case-insensitive), in any of its lines.
func headerHasToken(h *httpcore.Header, name, token string) bool {
	found := false
	h.Values(name, func(v []byte) {
		for len(v) > 0 && !found {
			var item []byte
			item, v = httpcore.NextListItem(v)
			found = httpcore.EqualFold(item, token)
		}
	})
	return found
}
