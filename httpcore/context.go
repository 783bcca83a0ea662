package httpcore

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Context returns the request's context. It is cancelled:
//
//   - with cause ErrClientGone when the client closes the connection (or
//     resets it) while the handler runs, as far as the core can tell (below);
//   - with cause ErrServerClosed when Server.Close is called (which is what
//     a caller does when Shutdown's grace period ends);
//   - with context.Canceled once ServeHTTP returns, before the core
//     completes the response.
//
// Read the cause with context.Cause. The context is made on first call, so
// a handler that never asks pays nothing; later calls during the same
// ServeHTTP return the same context. Like the rest of the Request it is
// only for the duration of ServeHTTP: call Context on the handler's
// goroutine (it is not safe for concurrent use) and hand the context to
// other goroutines. The context itself may be kept: it stays cancelled.
// After ServeHTTP returns, and until the connection reads its next request
// into the Request, Context returns an already cancelled context. A
// Request that belongs to no connection (a zero Request in a test) returns
// context.Background().
//
// The client is watched only once the request body has been read to its
// end (at once for a request without a body): until then the connection's
// input belongs to the body. A goroutine then reads the connection. If the
// client sends its next request (pipelining) it is alive: the watch ends
// and keeps that byte for the next request. So does a client whose next
// request was already buffered when the watch would start. A client that
// shuts down its sending side after the request (a half close) looks gone,
// as it does to net/http.
func (r *Request) Context() context.Context {
	c := r.c
	if c == nil {
		return context.Background()
	}
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithCancelCause(c.srv.baseCtx)
		c.watchClient()
	}
	return c.ctx
}

// endedCtx is what Context returns after ServeHTTP, when the handler did
// not ask for a context while it ran.
var endedCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// aLongTimeAgo is a read deadline in the past: it ends a blocked Read.
var aLongTimeAgo = time.Unix(1, 0)

// watcher is the client-gone watch of one connection. While it runs, its
// goroutine alone reads the connection, into buf: nothing else does, since
// the body is done and the serve goroutine is in the handler.
type watcher struct {
	on  bool           // a watch goroutine was started (serve goroutine's view)
	wg  sync.WaitGroup // done when the goroutine has returned
	buf [1]byte        // what it read: the first byte of the next request
	n   int            // set by the goroutine; read after wg.Wait
	err error
}

// watchClient starts the client-gone watch if the handler holds a context,
// the body has been read to its end and no input is buffered.
func (c *conn) watchClient() {
	if c.cancel == nil || c.watch.on || !c.body.done() || c.r < c.w {
		return
	}
	// No deadline while the handler runs: the client waits for the answer,
	// and stopWatch sets one to end the read. A connection without
	// deadlines could not be stopped: it is not watched.
	c.readDL = time.Time{}
	if err := c.rwc.SetReadDeadline(time.Time{}); err != nil {
		return
	}
	c.watch.on = true
	c.watch.n, c.watch.err = 0, nil
	c.watch.wg.Add(1)
	go c.watchRead()
}

// watchRead is the watch goroutine: one read, until data, the end of the
// connection or stopWatch's deadline.
func (c *conn) watchRead() {
	defer c.watch.wg.Done()
	n, err := c.rwc.Read(c.watch.buf[:])
	c.watch.n, c.watch.err = n, err
	// A timeout is stopWatch; a closed connection is Server.Close, which
	// cancelled the context with ErrServerClosed first.
	if n == 0 && err != nil && !isTimeout(err) && !errors.Is(err, net.ErrClosed) {
		c.cancel(ErrClientGone)
	}
}

// endContext runs when the handler has returned: it stops the watch and
// cancels the context.
func (c *conn) endContext() {
	if c.ctx == nil {
		c.ctx = endedCtx // a late Context call gets an ended context
		return
	}
	c.stopWatch()
	c.cancel(context.Canceled)
	c.cancel = nil
}

// stopWatch ends the watch goroutine and takes over what it read: a byte
// of the next request goes back after the buffered input; the end of the
// connection means there is no next request.
func (c *conn) stopWatch() {
	if !c.watch.on {
		return
	}
	c.rwc.SetReadDeadline(aLongTimeAgo) // ends a Read still waiting
	c.watch.wg.Wait()
	c.watch.on = false
	c.readDL = aLongTimeAgo // so that the next armRead sets a deadline
	switch {
	case c.watch.n > 0:
		c.unread(c.watch.buf[:c.watch.n])
	case c.watch.err != nil && !isTimeout(c.watch.err):
		c.closeAfter = true
	}
}

// unread puts p back after the buffered input, as if fill had read it.
func (c *conn) unread(p []byte) {
	for len(p) > 0 {
		c.makeRoom(readBufSize)
		n := copy(c.buf[c.w:], p)
		c.w += n
		p = p[n:]
	}
}
