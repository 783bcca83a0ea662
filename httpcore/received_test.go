package httpcore

import (
	"io"
	"sync/atomic"
	"testing"
	"time"
)

// TestRequestReceived: a request's Received is read once, as the handler
// is called: within the exchange, new for each pipelined request, and the
// time the Date field gives.
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
	var dates []string
	for range 2 {
		res, _ := readResponse(t, br, "GET")
		dates = append(dates, res.Header.Get("Date"))
	}
	after := time.Now()
	first, second := <-got, <-got
	if first.Before(before) || second.Before(first) || after.Before(second) {
		t.Fatalf("received %v and %v, not within the exchange [%v, %v]", first, second, before, after)
	}
	for i, r := range []time.Time{first, second} {
		if want := r.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"); dates[i] != want {
			t.Errorf("response %d: Date %q, want %q (its request's Received)", i, dates[i], want)
		}
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
