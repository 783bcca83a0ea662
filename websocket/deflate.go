package websocket

import (
	"bytes"
	"compress/flate"
	"io"
	"strconv"
	"sync"

	"github.com/luaserve/luaserve/httpcore"
)

// permessage-deflate (RFC 7692), without context takeover either way: each
// message is compressed and decompressed on its own, with pooled flate
// state, so an idle connection keeps no compression window (a window per
// connection would be 32 KiB or more each way).

// rsv1 marks a compressed message's first frame.
const rsv1 = 0x40

// deflateAnswer is the extension the 101 accepts. client_no_context_takeover
// may be sent whatever the offer said (RFC 7692, section 7.1.1.2), and the
// client must then comply.
const deflateAnswer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// acceptDeflate reports whether the request offers permessage-deflate with
// parameters we can honour: any but a server window below 15 bits (Go's
// flate always uses a 32 KiB window).
func acceptDeflate(h *httpcore.Header) bool {
	ok := false
	h.Values("Sec-WebSocket-Extensions", func(v []byte) {
		for len(v) > 0 && !ok {
			var offer []byte
			offer, v = httpcore.NextListItem(v)
			ok = deflateOffer(offer)
		}
	})
	return ok
}

// deflateOffer checks one offer: "permessage-deflate; param[=value]; ...".
func deflateOffer(offer []byte) bool {
	name, params, _ := bytes.Cut(offer, []byte(";"))
	if !httpcore.EqualFold(bytes.TrimSpace(name), "permessage-deflate") {
		return false
	}
	for len(params) > 0 {
		var p []byte
		p, params, _ = bytes.Cut(params, []byte(";"))
		key, val, hasVal := bytes.Cut(bytes.TrimSpace(p), []byte("="))
		val = bytes.Trim(bytes.TrimSpace(val), `"`)
		switch {
		case httpcore.EqualFold(key, "server_no_context_takeover"), httpcore.EqualFold(key, "client_no_context_takeover"):
			if hasVal {
				return false
			}
		case httpcore.EqualFold(key, "client_max_window_bits"):
			if hasVal && !windowBits(val) {
				return false
			}
		case httpcore.EqualFold(key, "server_max_window_bits"):
			if n, err := strconv.Atoi(string(val)); err != nil || n != 15 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func windowBits(v []byte) bool {
	n, err := strconv.Atoi(string(v))
	return err == nil && n >= 8 && n <= 15
}

var (
	flateWriters = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, flate.BestSpeed)
		return w
	}}
	flateReaders = sync.Pool{New: func() any { return flate.NewReader(nil) }}
)

// deflateTail ends every compressed message on the wire's behalf: the
// sender strips it, the receiver appends it (RFC 7692, section 7.2.1).
var deflateTail = []byte{0, 0, 0xff, 0xff}

// compress returns p compressed as a message payload.
func compress(p []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(p)/2 + 16)
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&buf)
	w.Write(p)
	w.Flush()
	flateWriters.Put(w)
	return bytes.TrimSuffix(buf.Bytes(), deflateTail)
}

// decompress inflates a compressed message, refusing one that inflates
// past limit bytes (a decompression bomb) with 1009 and malformed data
// with 1007.
func decompress(p []byte, limit int64) ([]byte, error) {
	r := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(r)
	r.(flate.Resetter).Reset(io.MultiReader(bytes.NewReader(p), bytes.NewReader(deflateTail)), nil)
	var out bytes.Buffer
	n, err := out.ReadFrom(io.LimitReader(r, limit+1))
	switch {
	case n > limit:
		return nil, &protocolError{CloseTooBig, "message too big"}
	case err != nil && err != io.ErrUnexpectedEOF:
		return nil, &protocolError{CloseInvalidData, "malformed compressed message"}
	}
	return out.Bytes(), nil
}
