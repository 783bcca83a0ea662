package httpcore

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Handler answers one request. The Request and everything it points to are
// valid only until ServeHTTP returns.
type Handler interface {
	ServeHTTP(w *ResponseWriter, r *Request)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(w *ResponseWriter, r *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w *ResponseWriter, r *Request) { f(w, r) }

// Defaults for the Server's zero-valued settings. They follow nginx where it
// has an opinion (timeouts, line length) and Go's net/http otherwise.
// Neither counts header fields: DefaultMaxHeaderFields is generous, so that
// MaxHeaderBytes is what bounds an ordinary head.
const (
	DefaultMaxRequestLineBytes = 8 << 10
	DefaultMaxHeaderBytes      = 32 << 10
	DefaultMaxHeaderFields     = 256
	DefaultMaxBodyBytes        = 10 << 20
	DefaultMaxConns            = 10000
	DefaultReadHeaderTimeout   = 10 * time.Second
	DefaultBodyReadTimeout     = 30 * time.Second
	DefaultBodyTimeout         = 10 * time.Second
	DefaultMinBodyRate         = 16 << 10
	DefaultBodyMemory          = 1 << 20
	DefaultIdleTimeout         = 75 * time.Second
	DefaultWriteTimeout        = 30 * time.Second
)

// Server serves HTTP/1.x on listeners. Its settings must not change once
// Serve is called. A zero setting takes the default above; a negative one
// turns the limit or timeout off.
type Server struct {
	Handler Handler
	// Name, when set, is sent as the Server header unless the handler sets one.
	Name string

	MaxRequestLineBytes int   // longer request lines get 414
	MaxHeaderBytes      int   // larger header sections get 431
	MaxHeaderFields     int   // more fields than this (Host included) get 431
	MaxBodyBytes        int64 // larger bodies get 413
	// MaxConns bounds the open connections. At the limit a new connection
	// takes the place of connections waiting for a request (kept alive, or
	// new and still silent), the longest waiting first; only when none is
	// waiting is it answered 503 and closed.
	MaxConns int

	// ReadHeaderTimeout bounds the time from a request's first byte to the
	// end of its header section (slowloris). On a new connection it runs
	// from the accept, so that a connection that never sends a byte is
	// closed after it too, not after IdleTimeout.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout bounds each read of the request body.
	BodyReadTimeout time.Duration
	// BodyTimeout and MinBodyRate bound a body read whole - by
	// Request.ReceiveBody, Request.ReadBody, or the core discarding what
	// a handler left unread: it must keep arriving, within BodyTimeout
	// plus one second per MinBodyRate bytes (bytes per second) received
	// so far, 408 past it, however the client trickles. The defaults, 10 s (ReadHeaderTimeout's:
	// a connection is not cheaper to hold through its body than through
	// its head) and 16 KiB/s (a slow mobile uplink), give a 1 MiB body
	// 74 s and a 10 MiB one about 11 minutes, while a client holding a
	// connection with a trickle must keep sending 16 KiB/s. Either one
	// negative: no whole-body deadline (BodyReadTimeout still bounds each
	// read). A handler streaming Body itself has BodyReadTimeout only.
	BodyTimeout time.Duration
	MinBodyRate int64
	// BodyMemory is how much of a body ReceiveBody keeps in memory
	// (default 1 MiB); a larger body goes to a temporary file in
	// BodyTempDir. Negative: any body stays in memory.
	BodyMemory int64
	// BodyTempDir is where ReceiveBody's temporary files go; "" means
	// os.TempDir(). Each is named luaserve-body-* and removed when its
	// request ends.
	BodyTempDir string
	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection. The first request on a new connection waits
	// ReadHeaderTimeout, or IdleTimeout when ReadHeaderTimeout is off.
	IdleTimeout time.Duration
	// WriteTimeout bounds each write of the response to the socket.
	WriteTimeout time.Duration

	// TrustedProxies are the peers whose forwarding fields are believed:
	// Forwarded, X-Forwarded-For, X-Forwarded-Proto and X-Request-Id set
	// Request.RemoteIP, Scheme and ID (forwarded.go); from anyone else they
	// are ignored. With ProxyProtocol, the peers that must send a PROXY
	// protocol header.
	TrustedProxies []netip.Prefix
	// RequestIDs gives every request an ID (Request.ID); SendRequestID
	// also sends it as the X-Request-Id response field.
	RequestIDs, SendRequestID bool
	// ProxyProtocol: connections from TrustedProxies begin with a PROXY
	// protocol header (v1 or v2), whose source address becomes the
	// connection's RemoteAddr (proxyproto.go). A malformed one, or none
	// within ReadHeaderTimeout, closes the connection.
	ProxyProtocol bool
	// TLSConfig, when set, makes every connection TLS (handshake.go): the
	// handshake runs on the connection's goroutine under
	// ReadHeaderTimeout. Files then go through the TLS layer, not
	// sendfile.
	TLSConfig *tls.Config
	// CompressMin, when positive, gzips text-like responses of at least
	// this many bytes for clients that accept it (compress.go).
	CompressMin int
	// HSTS is the Strict-Transport-Security value sent with every response
	// to a request whose Scheme is https; "" sends none.
	HSTS string

	// ErrorLog receives handler panics and accept errors; nil means
	// slog.Default().
	ErrorLog *slog.Logger

	// Clock is the clock of the Date header; nil means time.Now. Tests fix
	// it so responses are reproducible.
	Clock func() time.Time

	initOnce sync.Once
	cfg      config
	date     dateCache
	// baseCtx is the parent of every request context; Close cancels it
	// with ErrServerClosed.
	baseCtx    context.Context
	cancelBase context.CancelCauseFunc

	mu         sync.Mutex
	listeners  map[net.Listener]struct{}
	conns      map[*conn]struct{}
	hijacked   map[*hijackedConn]struct{} // taken over by handlers (hijack.go)
	onShutdown []func()                   // RegisterOnShutdown's
	inShutdown atomic.Bool
	open       atomic.Int64 // open connections, refused ones excluded
}

// config is the resolved form of the Server's settings.
type config struct {
	limits
	maxBody                           int64
	maxConns                          int64
	headerTO, bodyTO, idleTO, writeTO time.Duration
	bodyTotal                         time.Duration // -1: no whole-body deadline
	minRate                           int64         // -1: no whole-body deadline
	bodyMem                           int64
	tempDir                           string
	lingerTime, lingerWait            time.Duration // lingerClose's bounds; tests shorten them
	log                               *slog.Logger
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		c := &s.cfg
		c.maxLine = pick(s.MaxRequestLineBytes, DefaultMaxRequestLineBytes, 1<<30)
		c.maxHeader = pick(s.MaxHeaderBytes, DefaultMaxHeaderBytes, 1<<30)
		c.maxFields = pick(s.MaxHeaderFields, DefaultMaxHeaderFields, 1<<30)
		c.maxBody = pick(s.MaxBodyBytes, DefaultMaxBodyBytes, 1<<62)
		c.maxConns = int64(pick(s.MaxConns, DefaultMaxConns, 1<<62))
		c.headerTO = pick(s.ReadHeaderTimeout, DefaultReadHeaderTimeout, 0)
		c.bodyTO = pick(s.BodyReadTimeout, DefaultBodyReadTimeout, 0)
		c.idleTO = pick(s.IdleTimeout, DefaultIdleTimeout, 0)
		c.writeTO = pick(s.WriteTimeout, DefaultWriteTimeout, 0)
		c.bodyTotal = pick(s.BodyTimeout, DefaultBodyTimeout, -1)
		c.minRate = pick(s.MinBodyRate, DefaultMinBodyRate, -1)
		c.bodyMem = pick(s.BodyMemory, DefaultBodyMemory, 1<<62)
		c.tempDir = s.BodyTempDir
		c.lingerTime, c.lingerWait = lingerTime, lingerWait
		c.log = s.ErrorLog
		if c.log == nil {
			c.log = slog.Default()
		}
		s.baseCtx, s.cancelBase = context.WithCancelCause(context.Background())
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*conn]struct{})
	})
}

// now reads the Date header's clock.
func (s *Server) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// pick resolves a setting: zero takes def, negative takes off.
func pick[T int | int64 | time.Duration](v, def, off T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return off
	}
	return v
}

// ListenAndServe listens on the TCP address addr ("127.0.0.1:8080",
// "[::1]:0", ":8080") and serves it.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln and serves each on its own goroutine. It
// always returns a non-nil error and closes ln; after Shutdown or Close the
// error is ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	if !s.trackListener(ln, true) {
		ln.Close()
		return ErrServerClosed
	}
	defer s.trackListener(ln, false)
	defer ln.Close()
	var delay time.Duration
	for {
		rw, err := ln.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			if isTemporary(err) {
				// Out of file descriptors and the like: back off as net/http
				// does rather than spin.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.cfg.log.Error("httpcore: accept", "err", err, "retry_in", delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		if !s.admit() {
			go refuse(rw)
			continue
		}
		c := newConn(s, rw)
		if !s.trackConn(c, true) {
			s.open.Add(-1)
			rw.Close()
			return ErrServerClosed
		}
		go c.serve()
	}
}

// ServeConn serves one already-accepted connection (an in-memory net.Pipe,
// say) until either side closes it, then returns. It is how tests and the
// Lua test runner talk HTTP to a handler without a listener; the
// connection counts against MaxConns and Shutdown waits for it.
func (s *Server) ServeConn(rw net.Conn) {
	s.init()
	if !s.admit() {
		refuse(rw)
		return
	}
	c := newConn(s, rw)
	if !s.trackConn(c, true) {
		s.open.Add(-1)
		rw.Close()
		return
	}
	c.serve()
}

// admit counts a new connection against MaxConns. At the limit it makes
// room by closing connections that wait for a request (evictIdle), and
// reports false, counting nothing, when none is waiting.
func (s *Server) admit() bool {
	if s.open.Add(1) <= s.cfg.maxConns || s.evictIdle() > 0 {
		return true
	}
	s.open.Add(-1)
	return false
}

// evictIdle closes the connections that have waited longest for a request,
// at most evictBatch of them, and reports how many it closed. Their slots
// are free at once; their goroutines finish on their own.
func (s *Server) evictIdle() int {
	var oldest [maxEvictBatch]*conn
	batch := evictBatch(s.cfg.maxConns)
	n := 0
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.Load() != stateIdle {
			continue
		}
		// Insert c into oldest[:n], kept sorted from the longest waiting.
		since := c.idleSince.Load()
		i := n
		for i > 0 && oldest[i-1].idleSince.Load() > since {
			i--
		}
		if i == batch {
			continue
		}
		n = min(n+1, batch)
		copy(oldest[i+1:n], oldest[i:n-1])
		oldest[i] = c
	}
	closed := 0
	for _, c := range oldest[:n] {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.releaseSlot()
			c.rwc.Close()
			closed++
		}
	}
	return closed
}

// maxEvictBatch bounds how many waiting connections one eviction closes.
// Finding them walks every connection, so a scan frees several slots at
// once (nginx's ngx_drain_connections closes up to 32).
const maxEvictBatch = 16

// evictBatch is how many connections an eviction closes: one per 1024 of
// MaxConns, plus one, up to maxEvictBatch.
func evictBatch(maxConns int64) int {
	return int(min(1+maxConns/1024, maxEvictBatch))
}

// refuse answers a connection over MaxConns with 503 and closes it.
func refuse(rw net.Conn) {
	rw.SetDeadline(time.Now().Add(time.Second))
	rw.Write(refusal)
	// Briefly: refused connections are not counted against MaxConns.
	lingerClose(rw, lingering{discardLimit, 500 * time.Millisecond, 500 * time.Millisecond})
}

const refusalBody = "503 Service Unavailable: too many connections\n"

var refusal = []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Content-Length: " + strconv.Itoa(len(refusalBody)) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + refusalBody)

func (s *Server) trackListener(ln net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.inShutdown.Load() {
			return false
		}
		s.listeners[ln] = struct{}{}
	} else {
		delete(s.listeners, ln)
	}
	return true
}

func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.inShutdown.Load() {
			return false
		}
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	return true
}

// Shutdown stops accepting, closes idle connections, lets requests in
// flight finish (their connections close after the response), and returns
// when every connection is closed or ctx ends, whichever is first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.inShutdown.Store(true)
	s.closeListeners()
	s.startShutdownHooks()
	wait := time.Millisecond
	for {
		if s.closeIdle() == 0 {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// Close closes the listeners and every connection at once. The contexts of
// requests in flight are cancelled with cause ErrServerClosed (before their
// connections close, so that the cause is not ErrClientGone): a caller
// whose Shutdown ran out of time calls Close to cut those requests off.
func (s *Server) Close() error {
	s.init()
	s.inShutdown.Store(true)
	s.cancelBase(ErrServerClosed)
	s.closeListeners()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.state.Store(stateClosed)
		c.rwc.Close()
	}
	s.closeHijackedLocked()
	return nil
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		ln.Close()
	}
}

// closeIdle closes the connections waiting for a request and reports how
// many connections remain open, hijacked ones included.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.rwc.Close()
		}
	}
	return len(s.conns) + len(s.hijacked)
}

// OpenConns reports the number of open connections.
func (s *Server) OpenConns() int { return int(s.open.Load()) }
