package luatest

import (
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// freshStore is an engine.Store that can be emptied between tests: it
// delegates to a MemoryStore that reset replaces.
type freshStore struct {
	cur atomic.Pointer[engine.MemoryStore]
}

func newFreshStore() *freshStore {
	s := &freshStore{}
	s.reset()
	return s
}

func (s *freshStore) reset() { s.cur.Store(engine.NewMemoryStore()) }

func (s *freshStore) Get(key string) ([]byte, bool, error) { return s.cur.Load().Get(key) }
func (s *freshStore) Set(key string, value []byte, ttl time.Duration) error {
	return s.cur.Load().Set(key, value, ttl)
}
func (s *freshStore) Delete(key string) (bool, error)          { return s.cur.Load().Delete(key) }
func (s *freshStore) Incr(key string, by int64) (int64, error) { return s.cur.Load().Incr(key, by) }
func (s *freshStore) Keys(prefix string) ([]string, error)     { return s.cur.Load().Keys(prefix) }
