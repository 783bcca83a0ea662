package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// accessLog logs one line per request after the handler returns: remote
// address, method, target, status, body bytes and the handler's duration
// (the time slog adds is when the line was written).
type accessLog struct {
	next httpcore.Handler
	log  *slog.Logger
}

func newAccessLog(next httpcore.Handler, format string, w io.Writer) *accessLog {
	return &accessLog{next: next, log: newLogger(format, w)}
}

func (a *accessLog) ServeHTTP(w *httpcore.ResponseWriter, r *httpcore.Request) {
	start := time.Now()
	done := false
	defer func() {
		if !done { // the handler panicked: httpcore answers 500 or drops the connection
			a.write(w, r, start, true)
		}
	}()
	a.next.ServeHTTP(w, r)
	done = true
	a.write(w, r, start, false)
}

func (a *accessLog) write(w *httpcore.ResponseWriter, r *httpcore.Request, start time.Time, panicked bool) {
	status := w.Status()
	if panicked && !w.Committed() {
		status = 500
	}
	attrs := [...]slog.Attr{
		slog.String("remote", r.RemoteAddr),
		slog.String("method", methodName(r.Method)),
		slog.String("target", string(r.Target)),
		slog.Int("status", status),
		slog.Int64("bytes", w.Written()),
		slog.Duration("duration", time.Since(start)),
		slog.Bool("aborted", true),
	}
	n := len(attrs) - 1
	if panicked && w.Committed() {
		n++
	}
	a.log.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs[:n]...)
}

// methodName returns the method as a string without allocating for the
// common ones.
func methodName(b []byte) string {
	for _, m := range [...]string{"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		if string(b) == m {
			return m
		}
	}
	return string(b)
}

// lineBuffer batches access-log lines into one write per 64 KiB or per
// flushEvery, whichever comes first, instead of a write system call per
// request (which cost a quarter of the hello benchmark's throughput when
// logging to a file). Close flushes what is left. A crash loses at most
// flushEvery of lines.
type lineBuffer struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte // pending lines; guarded by mu
	stop chan struct{}
	done chan struct{}
}

const (
	flushEvery   = 100 * time.Millisecond
	flushAtBytes = 64 << 10
)

func newLineBuffer(w io.Writer) *lineBuffer {
	b := &lineBuffer{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go b.flusher()
	return b
}

// Write takes whole lines (slog writes one record per call).
func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= flushAtBytes {
		b.flushLocked()
	}
	return len(p), nil
}

func (b *lineBuffer) flushLocked() {
	if len(b.buf) > 0 {
		b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}

func (b *lineBuffer) flusher() {
	defer close(b.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			b.flushLocked()
			b.mu.Unlock()
		}
	}
}

// Close stops the flusher and writes what is pending.
func (b *lineBuffer) Close() {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}
