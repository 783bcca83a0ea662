package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

func TestLineBufferFlushesOnClose(t *testing.T) {
	var out bytes.Buffer
	b := newLineBuffer(&out)
	b.Write([]byte("one\n"))
	b.Write([]byte("two\n"))
	b.Close()
	if out.String() != "one\ntwo\n" {
		t.Fatalf("%q", out.String())
	}
}

func TestLineBufferFlushesWhenFull(t *testing.T) {
	var out syncBuffer
	b := newLineBuffer(&out)
	defer b.Close()
	line := strings.Repeat("x", 1023) + "\n"
	for range flushAtBytes / len(line) {
		b.Write([]byte(line))
	}
	if got := len(out.String()); got != flushAtBytes {
		t.Fatalf("%d bytes written at once; want %d", got, flushAtBytes)
	}
}

// BenchmarkAccessLog measures what the access log adds to one request:
// building the record, formatting it and buffering the line.
func BenchmarkAccessLog(b *testing.B) {
	for _, format := range []string{"text", "json"} {
		b.Run(format, func(b *testing.B) {
			lines := newLineBuffer(io.Discard)
			defer lines.Close()
			a := newAccessLog(nil, format, lines)
			w := &httpcore.ResponseWriter{}
			r := &httpcore.Request{Method: []byte("GET"), Target: []byte("/users/42?fields=name,email"),
				RemoteAddr: "127.0.0.1:54321"}
			start := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				a.write(w, r, start, false)
			}
		})
	}
}
