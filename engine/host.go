package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/store"
)

// host is what the modules of one state get of the server (stdlib.Host):
// the engine's log and store, the script's folder, and the context of
// the request the state serves.
type host struct {
	log   *slog.Logger
	store store.Store
	dir   string
	ctx   requestContext
}

func (h *host) Context() context.Context { return &h.ctx }
func (h *host) Log() *slog.Logger        { return h.log }
func (h *host) Store() store.Store       { return h.store }
func (h *host) Dir() string              { return h.dir }

// requestContext is the context modules see: the state's time limit, and
// the request's own context (client gone, server closed) once a module
// waits on it. Linking to the request's context costs a goroutine in
// httpcore (to notice the client leave) and an AfterFunc, so it is done
// only when someone calls Done: a route that never waits pays nothing.
// When the request's context ends, the state's limit fires with its
// cause, which stops the Lua code as the time limit does.
type requestContext struct {
	limit *limitCtx

	mu   sync.Mutex
	req  *httpcore.Request // the request being served; nil between requests
	stop func() bool       // unlinks; nil when not linked
	gen  uint64            // counts requests, so a late AfterFunc does nothing
}

func (c *requestContext) Deadline() (time.Time, bool) { return c.limit.Deadline() }
func (c *requestContext) Err() error                  { return c.limit.Err() }
func (c *requestContext) Value(any) any               { return nil }

func (c *requestContext) Done() <-chan struct{} {
	c.link()
	return c.limit.done
}

// begin and end bracket one request.
func (c *requestContext) begin(r *httpcore.Request) {
	c.mu.Lock()
	c.req = r
	c.mu.Unlock()
}

func (c *requestContext) end() {
	c.mu.Lock()
	c.gen++
	c.req = nil
	stop := c.stop
	c.stop = nil
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (c *requestContext) link() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.req == nil || c.stop != nil {
		return
	}
	rc, gen := c.req.Context(), c.gen
	c.stop = context.AfterFunc(rc, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.gen == gen {
			c.limit.fire(context.Cause(rc))
		}
	})
}
