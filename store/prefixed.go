package store

import (
	"context"
	"strings"
	"time"
)

// Prefixed is a Store whose keys all live under a prefix of another
// store's: a namespace of its own in a shared backend, which Clear can
// empty without touching the rest (luaserve test runs against Redis in
// one).
type Prefixed struct {
	s      Store
	prefix string
}

// WithPrefix returns s seen through prefix.
func WithPrefix(s Store, prefix string) *Prefixed { return &Prefixed{s: s, prefix: prefix} }

func (p *Prefixed) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return p.s.Get(ctx, p.prefix+key)
}

func (p *Prefixed) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return p.s.Set(ctx, p.prefix+key, value, ttl)
}

func (p *Prefixed) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return p.s.Add(ctx, p.prefix+key, value, ttl)
}

func (p *Prefixed) Swap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	return p.s.Swap(ctx, p.prefix+key, old, value, ttl)
}

func (p *Prefixed) Delete(ctx context.Context, key string) (bool, error) {
	return p.s.Delete(ctx, p.prefix+key)
}

func (p *Prefixed) Incr(ctx context.Context, key string, by int64, ttl time.Duration) (int64, error) {
	return p.s.Incr(ctx, p.prefix+key, by, ttl)
}

func (p *Prefixed) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	return p.s.TTL(ctx, p.prefix+key)
}

// Keys lists the keys under the prefix that start with prefix, without
// the namespace's own.
func (p *Prefixed) Keys(ctx context.Context, prefix string) ([]string, error) {
	keys, err := p.s.Keys(ctx, p.prefix+prefix)
	for i, k := range keys {
		keys[i] = strings.TrimPrefix(k, p.prefix)
	}
	return keys, err
}

// Stats are the whole backend's: a namespace has no counters of its own.
func (p *Prefixed) Stats(ctx context.Context) (Stats, error) { return p.s.Stats(ctx) }

// Ping pings the backend, when it has a server.
func (p *Prefixed) Ping(ctx context.Context) error {
	if pi, ok := p.s.(Pinger); ok {
		return pi.Ping(ctx)
	}
	return nil
}

// Clear deletes every key under the prefix.
func (p *Prefixed) Clear(ctx context.Context) error {
	keys, err := p.s.Keys(ctx, p.prefix)
	for _, k := range keys {
		if err != nil {
			break
		}
		_, err = p.s.Delete(ctx, k)
	}
	return err
}
