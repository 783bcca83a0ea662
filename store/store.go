// Package store is the data every Lua state of a server shares: module-level
// Lua variables live in one state each, so anything all requests must see
// consistently goes through a Store. It knows nothing of Lua.
//
// Values are opaque bytes (the Lua binding stores JSON texts), which keeps
// the interface small enough for a networked backend to implement. Every
// method takes the request's context, so that a backend that waits on the
// network gives up when the request does.
package store

import (
	"context"
	"errors"
	"time"
)

// Store is a key-value store safe for concurrent use.
type Store interface {
	// Get returns the value stored at key; ok is false when there is none.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value at key; ttl > 0 makes it expire. The store may keep
	// value: the caller must not change it afterwards.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key and reports whether it was there.
	Delete(ctx context.Context, key string) (bool, error)
	// Incr adds by to the integer at key (0 when absent), atomically, and
	// returns the new value.
	Incr(ctx context.Context, key string, by int64) (int64, error)
	// Keys lists the keys that start with prefix, sorted.
	Keys(ctx context.Context, prefix string) ([]string, error)
}

// ErrNotInteger is returned by Incr on a value that is not an integer.
var ErrNotInteger = errors.New("store: value is not an integer")
