package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
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

// TestAccessLogMatchesSlog: the hand-written formats are byte for byte what
// slog's handlers write for the same record.
func TestAccessLogMatchesSlog(t *testing.T) {
	when := time.Date(2026, 11, 25, 21, 0, 45, 289123456, time.UTC)
	cases := []accessEntry{
		{remote: "127.0.0.1:40624", method: []byte("GET"), target: []byte("/hello/ada"), status: 200, bytes: 11, duration: 89374 * time.Nanosecond},
		{remote: "[::1]:9", method: []byte("POST"), target: []byte(`/a b?q="x"&y=z`), status: 500, bytes: 0, duration: 3 * time.Second, aborted: true},
		{remote: "", method: []byte("PURGE"), target: []byte("/caf\xc3\xa9/\xff\x01\t\u2028"), status: 404, bytes: 1 << 40, duration: 0},
		{remote: "1.2.3.4:5", method: []byte("GET"), target: []byte(`/back\slash/é`), status: 304, bytes: 5, duration: time.Millisecond},
		{remote: "1.2.3.4:5", method: []byte("GET"), target: []byte(`/q?a=b\c"d~`), status: 200, duration: time.Minute},
		{remote: "10.0.0.2:5", client: "203.0.113.7", id: []byte("q3x7kd2m9tbe-1a"), method: []byte("GET"), target: []byte("/"), status: 200},
		{remote: "10.0.0.2:5", id: []byte(`a"b=c`), method: []byte("GET"), target: []byte("/"), status: 200},
		{remote: "10.0.0.2:5", method: []byte("GET"), target: []byte("/"), status: 200, ua: []byte("curl/8.5.0 \"x\""), referer: []byte("https://a.example/?q=1")},
	}
	for _, e := range cases {
		e.time = when
		attrs := []slog.Attr{slog.String("remote", e.remote)}
		if e.client != "" {
			attrs = append(attrs, slog.String("client", e.client))
		}
		attrs = append(attrs, slog.String("method", string(e.method)),
			slog.String("target", string(e.target)), slog.Int("status", e.status),
			slog.Int64("bytes", e.bytes), slog.Duration("duration", e.duration))
		if len(e.id) > 0 {
			attrs = append(attrs, slog.String("request_id", string(e.id)))
		}
		if len(e.ua) > 0 {
			attrs = append(attrs, slog.String("user_agent", string(e.ua)))
		}
		if len(e.referer) > 0 {
			attrs = append(attrs, slog.String("referer", string(e.referer)))
		}
		if e.aborted {
			attrs = append(attrs, slog.Bool("aborted", true))
		}
		rec := slog.NewRecord(when, slog.LevelInfo, "request", 0)
		rec.AddAttrs(attrs...)
		for _, f := range []struct {
			name string
			h    func(io.Writer) slog.Handler
			got  []byte
		}{
			{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }, e.appendText(nil)},
			{"json", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }, e.appendJSON(nil)},
			{"text, cached time", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }, cached(e).appendText(nil)},
			{"json, cached time", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }, cached(e).appendJSON(nil)},
		} {
			var want bytes.Buffer
			if err := f.h(&want).Handle(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			if string(f.got) != want.String() {
				t.Errorf("%s:\ngot  %s\nwant %s", f.name, f.got, want.String())
			}
		}
	}
}

func TestAccessLogCombined(t *testing.T) {
	when := time.Date(2026, 11, 25, 21, 0, 45, 289123456, time.UTC)
	e := accessEntry{time: when, ip: "203.0.113.7", method: []byte("GET"), target: []byte("/a b\"\x01"), proto: 1,
		status: 200, bytes: 11, ua: []byte("curl/8.5.0"), referer: nil}
	want := `203.0.113.7 - - [25/Nov/2026:21:00:45 +0000] "GET /a b\x22\x01 HTTP/1.1" 200 11 "-" "curl/8.5.0"` + "\n"
	if got := string(e.appendCombined(nil)); got != want {
		t.Errorf("got  %swant %s", got, want)
	}
}

// cached is e formatting its time through a stamp that has seen another
// time of the same second first.
func cached(e accessEntry) *accessEntry {
	st := &stamp{}
	st.appendNano(nil, e.time.Truncate(time.Second))
	e.clock = st
	return &e
}

// TestStampMatchesTimeFormat: the cached time formats are the time
// package's, across seconds, zones, whole seconds and trailing zeros, with
// one stamp reused throughout as the access log reuses it.
func TestStampMatchesTimeFormat(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	base := time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC) // Paris changes its offset at 01:00 UTC
	var st stamp
	for i, step := range []time.Duration{0, 1, 999_999_999, time.Second, 1500 * time.Millisecond,
		120 * time.Millisecond, 100 * time.Microsecond, time.Hour, 10, 123456789} {
		for _, loc := range []*time.Location{time.UTC, paris, time.FixedZone("", -(3*3600 + 30*60))} {
			tm := base.Add(time.Duration(i) * time.Second).Add(step).In(loc)
			if got, want := string(st.appendNano([]byte("x"), tm)), "x"+tm.Format(time.RFC3339Nano); got != want {
				t.Errorf("nano %v: got %s, want %s", tm, got, want)
			}
			if got, want := string(st.appendMillis(nil, tm)), string(appendRFC3339Millis(nil, tm)); got != want {
				t.Errorf("millis %v: got %s, want %s", tm, got, want)
			}
		}
	}
}
