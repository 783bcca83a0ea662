package websocket

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Opcodes (RFC 6455, section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Kind is what a message holds: Text (UTF-8) or Binary.
type Kind int

const (
	Text   Kind = opText
	Binary Kind = opBinary
)

func (k Kind) String() string {
	if k == Binary {
		return "binary"
	}
	return "text"
}

// Close codes (RFC 6455, section 7.4.1).
const (
	CloseNormal        = 1000
	CloseGoingAway     = 1001
	CloseProtocolError = 1002
	CloseUnsupported   = 1003
	CloseNoStatus      = 1005 // never sent: the peer's close had no code
	CloseAbnormal      = 1006 // never sent: the connection ended without a close
	CloseInvalidData   = 1007
	ClosePolicy        = 1008
	CloseTooBig        = 1009
	CloseInternal      = 1011
)

// CloseError is how a connection ended: the code and reason of the close
// frame that ended it (either side's), or CloseAbnormal when it broke off.
type CloseError struct {
	Code   int
	Reason string
	Remote bool // the peer sent the close first
}

func (e *CloseError) Error() string {
	side := "we"
	if e.Remote {
		side = "the peer"
	}
	return fmt.Sprintf("websocket: %s closed: %d %s", side, e.Code, e.Reason)
}

// header is a parsed frame header.
type header struct {
	fin    bool
	rsv    byte
	op     byte
	masked bool
	length int64
	mask   [4]byte
}

// protocolError is a peer's violation: the close code to answer and why.
type protocolError struct {
	code   int
	reason string
}

func (e *protocolError) Error() string { return fmt.Sprintf("websocket: %d %s", e.code, e.reason) }

// check validates a client frame's header on its own (section 5.2, 5.5):
// the message-level rules are in Conn.ReadMessage.
func (h *header) check(maxMessage int64, deflate bool) *protocolError {
	switch {
	case h.rsv == rsv1 && deflate && h.op != opContinuation && h.op < opClose:
		// permessage-deflate: a compressed message's first frame
	case h.rsv != 0:
		return &protocolError{CloseProtocolError, "reserved bits set without an extension"}
	case !h.masked:
		return &protocolError{CloseProtocolError, "client frames must be masked"}
	case h.op >= 0x3 && h.op <= 0x7 || h.op > 0xA:
		return &protocolError{CloseProtocolError, "unknown opcode"}
	case h.length < 0:
		return &protocolError{CloseProtocolError, "frame length has the high bit set"}
	case h.op >= opClose && (!h.fin || h.length > 125):
		return &protocolError{CloseProtocolError, "control frames must be whole and at most 125 bytes"}
	case h.length > maxMessage:
		return &protocolError{CloseTooBig, "message too big"}
	}
	return nil
}

// unmask XORs p with the mask, starting at key offset pos.
func unmask(p []byte, key [4]byte, pos int) {
	k := binary.LittleEndian.Uint32(key[:])
	if pos&3 != 0 {
		k = k>>(8*uint(pos&3)) | k<<(32-8*uint(pos&3))
	}
	var k8 [8]byte
	binary.LittleEndian.PutUint32(k8[:], k)
	binary.LittleEndian.PutUint32(k8[4:], k)
	k64 := binary.LittleEndian.Uint64(k8[:])
	i := 0
	for ; i+8 <= len(p); i += 8 {
		binary.LittleEndian.PutUint64(p[i:], binary.LittleEndian.Uint64(p[i:])^k64)
	}
	for ; i < len(p); i++ {
		p[i] ^= k8[i&3]
	}
}

// appendHeader appends an unmasked server frame header.
func appendHeader(b []byte, op byte, fin bool, n int) []byte {
	first := op
	if fin {
		first |= 0x80
	}
	switch {
	case n <= 125:
		return append(b, first, byte(n))
	case n <= 0xFFFF:
		return append(b, first, 126, byte(n>>8), byte(n))
	}
	b = append(b, first, 127)
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

// closePayload is a close frame's body: the code, then the reason, cut to
// fit 125 bytes on a rune boundary.
func closePayload(code int, reason string) []byte {
	if code == CloseNoStatus {
		return nil
	}
	for len(reason) > 123 {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-size]
	}
	b := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), uint16(code))
	return append(b, reason...)
}

// parseClose reads a peer's close frame body (section 5.5.1, 7.4).
func parseClose(p []byte) (code int, reason string, perr *protocolError) {
	switch {
	case len(p) == 0:
		return CloseNoStatus, "", nil
	case len(p) == 1:
		return 0, "", &protocolError{CloseProtocolError, "close frame of one byte"}
	}
	code = int(binary.BigEndian.Uint16(p))
	if !validCloseCode(code) {
		return 0, "", &protocolError{CloseProtocolError, "invalid close code"}
	}
	if !utf8.Valid(p[2:]) {
		return 0, "", &protocolError{CloseInvalidData, "close reason is not UTF-8"}
	}
	return code, string(p[2:]), nil
}

// validCloseCode reports whether a peer may send code (section 7.4.2).
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1011:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// ValidSendCode reports whether code may be sent in a close frame.
func ValidSendCode(code int) bool { return validCloseCode(code) }
