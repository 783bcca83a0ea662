package engine

import (
	"bytes"
	"strconv"
	"time"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/websocket"
)

// eventStream is the queue of an event stream (text/event-stream): the
// formatted events not yet written, under the socket's lock. The serving
// goroutine waits on notify.
type eventStream struct {
	pending [][]byte
	size    int
	limit   int
	done    bool          // end the stream once pending is out
	notify  chan struct{} // capacity 1: something changed
}

func newEventStream(limit int) *eventStream {
	return &eventStream{limit: limit, notify: make(chan struct{}, 1)}
}

// push queues an event; past the limit the client is too slow and the
// stream ends.
func (q *eventStream) push(ev []byte) error {
	if q.done {
		return errSocketClosed
	}
	if q.size > 0 && q.size+len(ev) > q.limit {
		q.pending = nil
		q.finish()
		return websocket.ErrSlowReader
	}
	q.pending = append(q.pending, ev)
	q.size += len(ev)
	q.signal()
	return nil
}

func (q *eventStream) finish() {
	q.done = true
	q.signal()
}

func (q *eventStream) signal() {
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// take empties the queue (caller holds the socket's lock).
func (q *eventStream) take() (events [][]byte, done bool) {
	events, q.pending, q.size = q.pending, nil, 0
	return events, q.done
}

// formatEvent formats one event (HTML, section 9.2.5): optional id,
// event name and retry, then data split into lines.
func formatEvent(id *string, event string, data []byte, retry int) []byte {
	b := make([]byte, 0, len(data)+32)
	if id != nil {
		b = append(append(append(b, "id: "...), *id...), '\n')
	}
	if event != "" {
		b = append(append(append(b, "event: "...), event...), '\n')
	}
	if retry > 0 {
		b = append(strconv.AppendInt(append(b, "retry: "...), int64(retry), 10), '\n')
	}
	for {
		line, rest, more := bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		b = append(append(append(b, "data: "...), line...), '\n')
		if !more {
			break
		}
		data = rest
	}
	return append(b, '\n')
}

var heartbeatLine = []byte(": ping\n\n")

// serveStream runs an open event stream on the request's connection until
// the script closes it, the client goes away, the client reads too slowly
// or the server shuts down. No Lua state is held meanwhile.
func (e *Engine) serveStream(w *httpcore.ResponseWriter, r *httpcore.Request, s *socket) {
	rt := e.rt
	defer rt.closed(s, make(chan struct{}, 1), websocket.CloseGoingAway, "stream ended")
	if !rt.add(s) {
		w.WriteHeader(503)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(200)
	ctx := r.Context()
	beat := time.NewTicker(rt.heartbeat)
	defer beat.Stop()
	for {
		s.mu.Lock()
		events, done := s.stream.take()
		s.mu.Unlock()
		for _, ev := range events {
			w.Write(ev)
		}
		if err := w.Flush(); err != nil || done {
			return
		}
		select {
		case <-s.stream.notify:
		case <-beat.C:
			w.Write(heartbeatLine)
		case <-ctx.Done():
			return
		case <-rt.closing:
			return
		}
	}
}
