package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/luaserve/luaserve/pubsub"
	"github.com/luaserve/luaserve/store"
)

// storeOptions choose the shared store's backend.
type storeOptions struct {
	url string
	max byteSize
}

func addStoreFlags(fs *flag.FlagSet, o *storeOptions) {
	o.max = store.DefaultMaxBytes
	fs.StringVar(&o.url, "store", "memory", "the shared store (luaserve.store): memory, lost on restart, "+
		"sqlite:PATH, kept in a SQLite file (relative to the working folder), "+
		"or redis://[user:pass@]host:port/db, shared by every instance that names it")
	fs.Var(&o.max, "store-max-memory", "with -store memory, the most its keys and values may take; past it the least "+
		"recently used go (0: no bound)")
}

// open opens the store the options name, and what closes it; workers
// sizes a networked store's connection pool (a state uses one at a time).
func (o *storeOptions) open(ctx context.Context, workers int) (store.Store, func() error, error) {
	switch scheme, rest, _ := strings.Cut(o.url, ":"); {
	case o.url == "memory":
		return store.NewMemory(int64(o.max)), func() error { return nil }, nil
	case scheme == "sqlite" && rest != "":
		path, err := filepath.Abs(rest)
		if err != nil {
			return nil, nil, err
		}
		s, err := store.OpenSQLite(path)
		if err != nil {
			return nil, nil, fmt.Errorf("-store %s: %w", o.url, err)
		}
		return s, s.Close, nil
	case scheme == "redis" || scheme == "rediss":
		s, err := store.OpenRedis(ctx, o.url, workers+2)
		if err != nil {
			return nil, nil, fmt.Errorf("-store: %w", err)
		}
		return s, s.Close, nil
	}
	return nil, nil, usageError{fmt.Sprintf("-store %q: want memory, sqlite:PATH or redis://host:port/db", o.url)}
}

// openHub opens the publish/subscribe hub that goes with the store: Redis
// pub/sub on a Redis store, so that a message published on one instance
// reaches the WebSockets of all; in process otherwise.
func (o *storeOptions) openHub(ctx context.Context) (pubsub.Hub, error) {
	if scheme, _, _ := strings.Cut(o.url, ":"); scheme == "redis" || scheme == "rediss" {
		h, err := pubsub.OpenRedis(ctx, o.url, pubsub.DefaultRedisPrefix)
		if err != nil {
			return nil, fmt.Errorf("-store: %w", err)
		}
		return h, nil
	}
	return pubsub.NewMemory(), nil
}
