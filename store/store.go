// Package store is the data every Lua state of a server shares: module-level
// Lua variables live in one state each, so anything all requests must see
// consistently goes through a Store. It knows nothing of Lua.
//
// Values are opaque bytes (the Lua binding encodes Lua values into them),
// which keeps the interface small enough for a networked backend to
// implement with its own atomic commands. Every method takes the request's
// context, so that a backend that waits on the network or a disk gives up
// when the request does.
package store

import (
	"context"
	"errors"
	"time"
)

// Store is a key-value store safe for concurrent use. Every operation is
// atomic on its key, across all the states (and, for a shared backend, all
// the processes) that use it.
type Store interface {
	// Get returns the value stored at key; ok is false when there is none.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value at key; ttl > 0 makes it expire, ttl 0 clears any
	// expiry. The store may keep value: the caller must not change it
	// afterwards.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Add stores value at key only when key holds nothing, and reports
	// whether it did.
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Swap replaces the value at key with value only when the value there
	// is old (nil: only when key holds nothing), and reports whether it
	// did. A nil value deletes the key. ttl is as for Set.
	Swap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key and reports whether it was there.
	Delete(ctx context.Context, key string) (bool, error)
	// Incr adds by to the integer at key (0 when absent), atomically, and
	// returns the new value. ttl > 0 is the expiry of a key this call
	// creates; an existing key keeps its own.
	Incr(ctx context.Context, key string, by int64, ttl time.Duration) (int64, error)
	// TTL returns how long key has left; ok is false when there is no
	// key, and left is 0 for a key that never expires.
	TTL(ctx context.Context, key string) (left time.Duration, ok bool, err error)
	// Keys lists the keys that start with prefix, sorted.
	Keys(ctx context.Context, prefix string) ([]string, error)
	// Stats reports the store's size and counters, as far as the backend
	// can tell (a field it cannot is -1).
	Stats(ctx context.Context) (Stats, error)
}

// Pinger is a store with a server that can be unreachable: Ping checks
// that it answers (for a readiness check).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Stats describes a store at one moment.
type Stats struct {
	Keys      int64 // keys held, expired ones not yet reclaimed included
	Bytes     int64 // memory or disk the entries take, roughly
	MaxBytes  int64 // the bound past which entries are evicted; 0: none
	Hits      int64 // Get calls that found a value
	Misses    int64 // Get calls that found none
	Evictions int64 // entries dropped to stay under MaxBytes
	Expired   int64 // entries reclaimed after their ttl
}

var (
	// ErrNotInteger is returned by Incr on a value that is not an integer.
	ErrNotInteger = errors.New("store: value is not an integer")
	// ErrTooLarge is returned when one entry is larger than the store's
	// whole memory bound.
	ErrTooLarge = errors.New("store: value larger than the store's memory bound")
	// ErrOverflow is returned by Incr when the result leaves int64.
	ErrOverflow = errors.New("store: increment overflows a 64-bit integer")
	// ErrUnavailable is wrapped by the errors of a networked backend that
	// cannot be reached (refused, reset, timed out): the request cannot be
	// served now, though it may be once the backend is back.
	ErrUnavailable = errors.New("store: backend unavailable")
)

// DefaultMaxBytes bounds the embedded store when nothing else is said
// (-store-max-memory).
const DefaultMaxBytes = 64 << 20
