package httpcore

import (
	"errors"
	"net"
	"sync"
	"time"
)

// ErrHijacked is Hijack's error for a connection it cannot hand over: the
// response is already under way, the request body is still unread, or the
// connection was taken over before.
var ErrHijacked = errors.New("httpcore: connection cannot be taken over")

// Hijack takes the connection over from the server, for a protocol that
// follows an upgrade handshake (WebSocket). It returns the connection and
// a copy of the input already read past the request (the first frames a
// client sent without waiting for the handshake's answer). The handler
// writes everything from here on itself, the status line included: what it
// set of the response so far is dropped.
//
// The server forgets the connection except for MaxConns and shutdown: the
// returned connection holds its MaxConns slot until closed, Shutdown runs
// the functions given to RegisterOnShutdown and waits for hijacked
// connections to close too, and Close closes them. The request's context
// ends when the handler returns, as always. Call Hijack on the handler's
// goroutine, once the request body has been read (a GET has none).
func (w *ResponseWriter) Hijack() (net.Conn, []byte, error) {
	c := w.c
	if c == nil || c.hijacked || w.committed || !c.body.done() {
		return nil, nil, ErrHijacked
	}
	c.stopWatch()
	if c.closeAfter && c.watch.err != nil {
		return nil, nil, ErrClientGone
	}
	var rest []byte
	if c.r < c.w {
		rest = append([]byte(nil), c.buf[c.r:c.w]...)
		c.r = c.w
	}
	c.flush() // nothing of this response is pending; earlier ones may be
	c.rwc.SetDeadline(time.Time{})
	c.readDL, c.writeDL = time.Time{}, time.Time{}
	c.hijacked, c.closeAfter = true, true
	w.reset()
	w.status = 101 // for whoever reads Status afterwards (an access log)
	// The slot passes to h: finishHijacked does not give it back. h does
	// not keep c, whose buffers and request the serve goroutine frees.
	c.released.Store(true)
	h := &hijackedConn{Conn: c.rwc, srv: c.srv}
	s := c.srv
	s.mu.Lock()
	delete(s.conns, c)
	if s.hijacked == nil {
		s.hijacked = make(map[*hijackedConn]struct{})
	}
	s.hijacked[h] = struct{}{}
	s.mu.Unlock()
	return h, rest, nil
}

// hijackedConn is a connection a handler took over. Closing it gives back
// its MaxConns slot and ends the server's tracking of it.
type hijackedConn struct {
	net.Conn
	srv  *Server
	once sync.Once
}

// Close closes the connection; later calls return nil.
func (h *hijackedConn) Close() error {
	err := net.ErrClosed
	h.once.Do(func() {
		err = h.Conn.Close()
		h.srv.mu.Lock()
		if _, ok := h.srv.hijacked[h]; ok { // else Close gave the slot back
			delete(h.srv.hijacked, h)
			h.srv.open.Add(-1)
		}
		h.srv.mu.Unlock()
	})
	return err
}

// NetConn returns the connection under the wrapper (a *net.TCPConn for a
// TCP listener), for socket options.
func (h *hijackedConn) NetConn() net.Conn { return h.Conn }

// RegisterOnShutdown adds f to the functions Shutdown calls (each on its
// own goroutine, once) before it waits: how the owner of hijacked
// connections learns to close them (a WebSocket's "going away").
func (s *Server) RegisterOnShutdown(f func()) {
	s.mu.Lock()
	s.onShutdown = append(s.onShutdown, f)
	s.mu.Unlock()
}

// startShutdownHooks runs the RegisterOnShutdown functions, once.
func (s *Server) startShutdownHooks() {
	s.mu.Lock()
	hooks := s.onShutdown
	s.onShutdown = nil
	s.mu.Unlock()
	for _, f := range hooks {
		go f()
	}
}

// closeHijackedLocked closes the hijacked connections (Close); their
// Close, run later, finds them gone from the map.
func (s *Server) closeHijackedLocked() {
	for h := range s.hijacked {
		h.Conn.Close()
		s.open.Add(-1)
		delete(s.hijacked, h)
	}
}

// finishHijacked ends the serve goroutine of a hijacked connection: it
// returns the buffers and leaves the socket (and its MaxConns slot) to the
// handler.
func (c *conn) finishHijacked() {
	c.state.Store(stateClosed)
	c.releaseWriteBuf()
	c.releaseReadBuf()
	if c.res.body != nil {
		c.res.releaseBody()
	}
}
