package luatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/store"
)

// testDB is a test file's database: snapshot keeps its content once the
// script has loaded (its migrations applied); reset gives each test that
// content again.
type testDB interface {
	db.DB
	db.Dialecter
	snapshot() error
	reset() error
}

// testStore is a test file's shared store, emptied before each test.
type testStore interface {
	store.Store
	clear() error
}

type memoryStore struct{ *store.Memory }

func (m memoryStore) clear() error { m.Clear(); return nil }

// redisStore is a namespace of its own in the Redis of Config.Store, so
// that a test run never touches the keys already there.
type redisStore struct {
	*store.Prefixed
	r *store.Redis
}

func (s redisStore) clear() error { return s.Clear(context.Background()) }

func (s redisStore) Close() error {
	err := s.Clear(context.Background())
	s.r.Close()
	return err
}

// openStore opens the file's store: in memory, or a namespace in Redis.
func openStore(cfg Config) (testStore, func(), error) {
	if cfg.Store == "" || cfg.Store == "memory" {
		return memoryStore{store.NewMemory(store.DefaultMaxBytes)}, func() {}, nil
	}
	if !strings.HasPrefix(cfg.Store, "redis://") && !strings.HasPrefix(cfg.Store, "rediss://") {
		return nil, nil, fmt.Errorf("-store %q: luaserve test takes memory or redis://host:port/db", cfg.Store)
	}
	r, err := store.OpenRedis(context.Background(), cfg.Store, 4)
	if err != nil {
		return nil, nil, err
	}
	s := redisStore{Prefixed: store.WithPrefix(r, "luaserve-test:"+randomName()+":"), r: r}
	return s, func() { s.Close() }, nil
}

// openTestDB opens the file's database: in-memory SQLite, or a schema of
// its own in the PostgreSQL database of Config.DB.
func openTestDB(cfg Config) (testDB, error) {
	if cfg.DB == "" || cfg.DB == db.Memory {
		return newFreshDB()
	}
	if !db.IsPostgresURL(cfg.DB) {
		return nil, fmt.Errorf("-db %q: luaserve test takes :memory: or a postgres:// URL", cfg.DB)
	}
	return newPostgresDB(cfg.DB)
}

func randomName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withSearchPath is url with PostgreSQL's search_path set to schema, so
// that the script's unqualified tables land there.
func withSearchPath(raw, schema string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
