package luatest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/store"
)

// freshStore is a store.Store that can be emptied between tests: it
// delegates to a store.Memory that reset replaces.
type freshStore struct {
	cur atomic.Pointer[store.Memory]
}

func newFreshStore() *freshStore {
	s := &freshStore{}
	s.reset()
	return s
}

func (s *freshStore) reset() { s.cur.Store(store.NewMemory()) }

func (s *freshStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return s.cur.Load().Get(ctx, key)
}

func (s *freshStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.cur.Load().Set(ctx, key, value, ttl)
}

func (s *freshStore) Delete(ctx context.Context, key string) (bool, error) {
	return s.cur.Load().Delete(ctx, key)
}

func (s *freshStore) Incr(ctx context.Context, key string, by int64) (int64, error) {
	return s.cur.Load().Incr(ctx, key, by)
}

func (s *freshStore) Keys(ctx context.Context, prefix string) ([]string, error) {
	return s.cur.Load().Keys(ctx, prefix)
}
