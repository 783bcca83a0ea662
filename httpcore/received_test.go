package httpcore

import (
	"io"
	"sync/atomic"
	"testing"
	"time"
)

// TestRequestReceived: a request's Received is read once, as the handler
// is called: within the exchange, and new for each pipelined request.
func TestRequestReceived(t *testing.T) {
	t.Parallel()
	got := make(chan time.Time, 2)
	addr := startServer(t, &Server{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		got <- r.Received
		io.WriteString(w, "ok")
	})})
	c, br := dial(t, addr)
	before := time.Now()
	io.WriteString(c, wire("GET /a HTTP/1.1\nHost: x\n\nGET /b HTTP/1.1\nHost: x\n\n"))
	for range 2 {
		readResponse(t, br, "GET")
	}
	after := time.Now()
	first, second := <-got, <-got
	if first.Before(before) || second.Before(first) || after.Before(second) {
		t.Fatalf("received %v and %v, not within the exchange [%v, %v]", first, second, before, after)
	}
}

// TestSlowHandlerDate: the Date field is read as the response is
// committed, not when the request came in: a handler that ran for an hour
// (by the server's clock) is dated an hour later than its request.
func TestSlowHandlerDate(t *testing.T) {
	t.Parallel()
	var now atomic.Pointer[time.Time]
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now.Store(&start)
	received := make(chan time.Time, 1)
	addr := startServer(t, &Server{
		Clock: func() time.Time { return *now.Load() },
		Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			received <- r.Received
			later := start.Add(time.Hour)
			now.Store(&later)
			io.WriteString(w, "slow")
		}),
	})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET /slow HTTP/1.1\nHost: x\n\n"))
	res, _ := readResponse(t, br, "GET")
	if r := <-received; !r.Equal(start) {
		t.Errorf("Received %v, want %v", r, start)
	}
	if res.Header.Get("Date") != "Tue, 01 Dec 2026 11:00:00 GMT" {
		t.Errorf("Date %q, want the time the handler ended, 11:00:00", res.Header.Get("Date"))
	}
}

// TestRefusedRequestDate: a request refused before its handler, on a
// connection kept alive from an earlier one, is dated by the clock, not
// by the earlier request's Received.
func TestRefusedRequestDate(t *testing.T) {
	t.Parallel()
	var now atomic.Pointer[time.Time]
	first := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now.Store(&first)
	addr := startServer(t, &Server{Handler: echo, Clock: func() time.Time { return *now.Load() }})
	c, br := dial(t, addr)
	io.WriteString(c, wire("GET /a HTTP/1.1\nHost: x\n\n"))
	if res, _ := readResponse(t, br, "GET"); res.Header.Get("Date") != "Tue, 01 Dec 2026 10:00:00 GMT" {
		t.Fatalf("first Date %q", res.Header.Get("Date"))
	}
	later := first.Add(time.Hour)
	now.Store(&later)
	io.WriteString(c, "GET /b HTTP/1.1\r\nHost: x\r\nBad Field: y\r\n\r\n")
	res, _ := readResponse(t, br, "GET")
	if res.StatusCode != 400 || res.Header.Get("Date") != "Tue, 01 Dec 2026 11:00:00 GMT" {
		t.Errorf("refused request: %d, Date %q, want 400 dated 11:00:00", res.StatusCode, res.Header.Get("Date"))
	}
}
