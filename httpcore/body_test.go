package httpcore

import (
	"bytes"
	"testing"
)

// TestChunkedReadsInPieces reads a chunked body through a tiny buffer, so
// that every state of the decoder resumes from a partial read.
func TestChunkedReadsInPieces(t *testing.T) {
	t.Parallel()
	srv := &Server{}
	srv.init()
	raw := fixture(chunkedPost + "5;x=1\nhello\n1\n \nb\nworld, 0123\n0\nT: v\n\nNEXT")
	fc := &fakeConn{in: bytes.NewReader([]byte(raw))}
	c := newConn(srv, fc)
	defer c.releaseReadBuf()
	if err := c.readRequest(); err != nil {
		t.Fatal(err)
	}
	var got []byte
	var p [1]byte
	for {
		n, err := c.req.Body.Read(p[:])
		got = append(got, p[:n]...)
		if err != nil {
			if StatusOf(err) != 0 {
				t.Fatal(err)
			}
			break
		}
	}
	if string(got) != "hello world, 0123" {
		t.Fatalf("body %q", got)
	}
	if rest := string(c.buf[c.r:c.w]); rest != "NEXT" {
		t.Fatalf("left %q after the body, want NEXT", rest)
	}
}
