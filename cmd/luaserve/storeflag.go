package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

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
		"or sqlite:PATH, kept in a SQLite file (relative to the working folder)")
	fs.Var(&o.max, "store-max-memory", "with -store memory, the most its keys and values may take; past it the least "+
		"recently used go (0: no bound)")
}

// open opens the store the options name, and what closes it.
func (o *storeOptions) open() (store.Store, func() error, error) {
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
	}
	return nil, nil, usageError{fmt.Sprintf("-store %q: want memory or sqlite:PATH", o.url)}
}
