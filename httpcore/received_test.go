package httpcore

import (
	"io"
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
