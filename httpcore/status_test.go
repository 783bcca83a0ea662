package httpcore

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestDateHeader: every response carries Date in IMF-fixdate (RFC 9110,
// section 6.6.1), from the per-second cache.
func TestDateHeader(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: echo})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\nGET / HTTP/1.1\nHost: x\n\n"))
	for range 2 {
		res, _ := readResponse(t, br, "GET")
		d, err := http.ParseTime(res.Header.Get("Date"))
		if err != nil || res.Header.Get("Date") != d.UTC().Format(http.TimeFormat) {
			t.Fatalf("Date %q: %v", res.Header.Get("Date"), err)
		}
		if off := time.Since(d); off < -2*time.Second || off > 2*time.Second {
			t.Fatalf("Date %q is %v off the clock", res.Header.Get("Date"), off)
		}
	}
}

// TestDateClock: the Date header follows Server.Clock, whatever its
// location, and the per-second cache follows the clock, not time.Now.
func TestDateClock(t *testing.T) {
	t.Parallel()
	var sec atomic.Int64 // seconds past base; set by the test between requests
	base := time.Date(2009, 11, 10, 23, 0, 0, 999, time.FixedZone("UTC+3", 3*3600))
	srv := &Server{Handler: echo, Clock: func() time.Time {
		return base.Add(time.Duration(sec.Load()) * time.Second)
	}}
	addr := startServer(t, srv)
	c, br := dial(t, addr)
	for i, want := range []string{
		"Tue, 10 Nov 2009 20:00:00 GMT",
		"Tue, 10 Nov 2009 20:00:00 GMT",
		"Tue, 10 Nov 2009 20:00:01 GMT",
		"Tue, 10 Nov 2009 20:00:00 GMT", // a clock set back is followed too
	} {
		sec.Store([]int64{0, 0, 1, 0}[i])
		io.WriteString(c, wire("GET / HTTP/1.1\nHost: x\n\n"))
		res, _ := readResponse(t, br, "GET")
		if got := res.Header.Get("Date"); got != want {
			t.Errorf("request %d: Date %q, want %q", i, got, want)
		}
	}
}
