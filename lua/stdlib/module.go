package stdlib

import (
	"context"
	"errors"
	"log/slog"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/pubsub"
	"github.com/luaserve/luaserve/store"
)

// Module is one luaserve.* module, as the engine registers it.
type Module struct {
	Name string // what require takes: "luaserve.json"
	// Open builds the module's table for a state, once per state, on the
	// first require. It keeps h, not the request: h.Context() is the
	// request being served when a module function runs.
	Open func(L *lua.LState, h Host) *lua.LTable
}

// Host is what a module may use of the server, for the state it runs in.
type Host interface {
	// Context is the current request's context: cancelled when the client
	// goes away, the server closes, or the request's time limit passes.
	// It is valid only while the module function that asked runs; keep
	// nothing from it past its return.
	Context() context.Context
	// Log is the server log.
	Log() *slog.Logger
	// Store is the store every state shares.
	Store() store.Store
	// Dir is the folder of the routes script: where relative paths start.
	Dir() string
	// DB is the SQL database every state shares, opened on first use (so
	// a script that never asks creates no file).
	DB() (db.DB, error)
	// PubSub is the publish/subscribe hub of WebSockets and event streams.
	PubSub() pubsub.Hub
}

// BasicHost is a Host for a state that serves no request (a test runner's,
// a tool's): its context is never cancelled.
type BasicHost struct {
	Logger *slog.Logger
	Shared store.Store
	Folder string
	SQL    *db.Lazy   // nil: no database
	Hub    pubsub.Hub // nil: an in-process hub of its own, made on first use
}

func (h *BasicHost) Context() context.Context { return context.Background() }
func (h *BasicHost) Log() *slog.Logger        { return h.Logger }
func (h *BasicHost) Store() store.Store       { return h.Shared }
func (h *BasicHost) Dir() string              { return h.Folder }

func (h *BasicHost) PubSub() pubsub.Hub {
	if h.Hub == nil {
		h.Hub = pubsub.NewMemory()
	}
	return h.Hub
}

// ErrNoDatabase is DB's error for a host without one.
var ErrNoDatabase = errors.New("no database configured")

func (h *BasicHost) DB() (db.DB, error) {
	if h.SQL == nil {
		return nil, ErrNoDatabase
	}
	return h.SQL.Get()
}
