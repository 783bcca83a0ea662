package engine

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/pubsub"
	"github.com/luaserve/luaserve/store"
)

// host is what the modules of one state get of the server (stdlib.Host):
// the engine's log, store and database, the script's folder, and the
// context of the request the state serves.
type host struct {
	log   *slog.Logger
	store store.Store
	db    *db.Lazy
	dir   string
	hub   pubsub.Hub
	ctx   requestContext
}

func (h *host) Context() context.Context { return &h.ctx }
func (h *host) Log() *slog.Logger        { return h.log }
func (h *host) Store() store.Store       { return h.store }
func (h *host) Dir() string              { return h.dir }
func (h *host) DB() (db.DB, error)       { return h.db.Get() }
func (h *host) PubSub() pubsub.Hub       { return h.hub }

// requestContext is the context modules see: the state's time limit, and
// the request's own context (client gone, server closed) once a module
// waits on it. Linking to the request's context costs a goroutine in
// httpcore (to notice the client leave) and an AfterFunc, so it is done
// only when someone calls Done: a route that never waits pays two atomic
// stores. When the request's context ends, the state's limit fires with
// its cause, which stops the Lua code as the time limit does.
//
// begin and end run on the serving goroutine; Done may be called from any
// goroutine a module starts, which calls httpcore's Request.Context off
// the handler's goroutine. That is safe because of stdlib.Host's contract:
// a module does not keep the context past the function that asked for it,
// so the Lua code (the only other user of the request) waits meanwhile,
// and end, which takes the lock link holds, comes after. active and linking are a Dekker pair: end
// clears active then reads linking, link sets linking then reads active,
// so either link sees no request, or end sees the link and takes the lock
// to undo it (and the request is read only while active).
type requestContext struct {
	limit   *limitCtx
	budget  *budget            // the state's; found under stdlib.BudgetKey
	req     **httpcore.Request // the state's exchange's; read only while active
	active  atomic.Bool        // between begin and end
	linking atomic.Bool        // a link was tried since the last end that locked

	mu   sync.Mutex
	stop func() bool // unlinks; nil when not linked
	gen  uint64      // counts unlinks, so that a late AfterFunc does nothing
}

func (c *requestContext) Deadline() (time.Time, bool) { return c.limit.Deadline() }
func (c *requestContext) Err() error                  { return c.limit.Err() }

// Value gives the request's memory budget under stdlib.BudgetKey, and
// the state's time limit, unlinked, under stdlib.TimeLimitKey.
func (c *requestContext) Value(key any) any {
	switch key {
	case stdlib.BudgetKey:
		return c.budget
	case stdlib.TimeLimitKey:
		return c.limit
	}
	return nil
}

func (c *requestContext) Done() <-chan struct{} {
	c.link()
	return c.limit.done
}

// begin and end bracket one request; *c.req is set before begin.
func (c *requestContext) begin() { c.active.Store(true) }

func (c *requestContext) end() {
	c.active.Store(false)
	if c.linking.Load() {
		c.unlink()
	}
}

func (c *requestContext) unlink() {
	c.mu.Lock()
	c.gen++
	stop := c.stop
	c.stop = nil
	c.linking.Store(false)
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (c *requestContext) link() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.linking.Store(true)
	if !c.active.Load() || c.stop != nil {
		return
	}
	rc, gen := (*c.req).Context(), c.gen
	c.stop = context.AfterFunc(rc, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.gen == gen {
			c.limit.fire(context.Cause(rc))
		}
	})
}
