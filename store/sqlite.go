package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/db"
)

// SQLite is a Store kept in a SQLite file: it survives restarts and can be
// shared by several processes on one machine. It runs on the db package's
// SQLite (one writer connection, immediate transactions, a reader pool), so
// increments and swaps are atomic across processes too.
type SQLite struct {
	d     db.DB
	path  string
	now   func() time.Time
	sets  atomic.Uint64
	stats struct{ hits, misses, expired atomic.Int64 }
}

// sqliteSchema is the store's one table. Keys are blobs so that they
// compare and match prefixes byte by byte; expires is Unix nanoseconds,
// 0 for never.
var sqliteSchema = []string{`CREATE TABLE IF NOT EXISTS luaserve_store (
	key BLOB PRIMARY KEY,
	value BLOB NOT NULL,
	expires INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS luaserve_store_expires ON luaserve_store(expires) WHERE expires != 0`}

// OpenSQLite opens (creating it when absent) the store in the SQLite file
// at path. A file that is not a SQLite database is an error naming it.
func OpenSQLite(path string) (*SQLite, error) {
	d, err := db.OpenSQLite(path, db.SQLiteOptions{})
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	for _, q := range sqliteSchema {
		if _, err := d.Exec(context.Background(), q, db.Args{}); err != nil {
			d.Close()
			return nil, fmt.Errorf("store: %s: %w", path, err)
		}
	}
	return &SQLite{d: d, path: path, now: time.Now}, nil
}

// Close closes the database.
func (s *SQLite) Close() error { return s.d.Close() }

func (s *SQLite) fail(op string, err error) error {
	return fmt.Errorf("store: %s %s: %w", op, s.path, err)
}

func (s *SQLite) nowNano() int64 { return s.now().UnixNano() }

func (s *SQLite) expiry(ttl time.Duration, now int64) int64 {
	if ttl <= 0 {
		return 0
	}
	return now + int64(ttl)
}

// live is the SQL condition of an entry that has not expired at :now.
const live = `(expires = 0 OR expires > :now)`

// lookup reads the live value and expiry at key through q.
func (s *SQLite) lookup(ctx context.Context, q db.Querier, key string, now int64) (value []byte, expires int64, ok bool, err error) {
	err = q.Query(ctx, `SELECT value, expires FROM luaserve_store WHERE key = :key AND `+live,
		db.Args{Named: map[string]any{"key": []byte(key), "now": now}},
		func(_ []db.Column, vals []any) error {
			value, ok = blob(vals[0]), true
			expires, _ = vals[1].(int64)
			return db.ErrStop
		})
	return value, expires, ok, err
}

// blob copies a column's bytes (the db package reuses them).
func blob(v any) []byte {
	switch v := v.(type) {
	case []byte:
		return append([]byte{}, v...)
	case string:
		return []byte(v)
	}
	return nil
}

func (s *SQLite) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, _, ok, err := s.lookup(ctx, s.d, key, s.nowNano())
	switch {
	case err != nil:
		return nil, false, s.fail("get", err)
	case !ok:
		s.stats.misses.Add(1)
		return nil, false, nil
	}
	s.stats.hits.Add(1)
	return v, true, nil
}

// put writes value at key through q, replacing what is there.
func put(ctx context.Context, q db.Querier, key string, value []byte, expires int64) error {
	_, err := q.Exec(ctx, `INSERT INTO luaserve_store (key, value, expires) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
		db.Args{List: []any{[]byte(key), value, expires}})
	return err
}

func (s *SQLite) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	now := s.nowNano()
	if err := put(ctx, s.d, key, value, s.expiry(ttl, now)); err != nil {
		return s.fail("set", err)
	}
	s.wrote(ctx, now)
	return nil
}

func (s *SQLite) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	now := s.nowNano()
	res, err := s.d.Exec(ctx, `INSERT INTO luaserve_store (key, value, expires) VALUES (:key, :value, :expires)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires
		WHERE NOT `+live, db.Args{Named: map[string]any{"key": []byte(key), "value": value,
		"expires": s.expiry(ttl, now), "now": now}})
	if err != nil {
		return false, s.fail("add", err)
	}
	s.wrote(ctx, now)
	return res.RowsAffected == 1, nil
}

func (s *SQLite) Swap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (swapped bool, err error) {
	now := s.nowNano()
	err = s.tx(ctx, func(tx db.Tx) error {
		cur, _, ok, err := s.lookup(ctx, tx, key, now)
		if err != nil || ok != (old != nil) || (ok && string(cur) != string(old)) {
			return err
		}
		swapped = true
		if value == nil {
			return remove(ctx, tx, key)
		}
		return put(ctx, tx, key, value, s.expiry(ttl, now))
	})
	if err != nil {
		return false, s.fail("cas", err)
	}
	return swapped, nil
}

func remove(ctx context.Context, q db.Querier, key string) error {
	_, err := q.Exec(ctx, `DELETE FROM luaserve_store WHERE key = ?`, db.Args{List: []any{[]byte(key)}})
	return err
}

func (s *SQLite) Delete(ctx context.Context, key string) (existed bool, err error) {
	err = s.tx(ctx, func(tx db.Tx) error {
		_, _, ok, err := s.lookup(ctx, tx, key, s.nowNano())
		if err != nil {
			return err
		}
		existed = ok
		return remove(ctx, tx, key)
	})
	if err != nil {
		return false, s.fail("delete", err)
	}
	return existed, nil
}

func (s *SQLite) Incr(ctx context.Context, key string, by int64, ttl time.Duration) (n int64, err error) {
	now := s.nowNano()
	err = s.tx(ctx, func(tx db.Tx) error {
		v, expires, ok, err := s.lookup(ctx, tx, key, now)
		if err != nil {
			return err
		}
		if !ok {
			expires = s.expiry(ttl, now)
		} else if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			return ErrNotInteger
		}
		if (by > 0 && n > maxInt64-by) || (by < 0 && n < minInt64-by) {
			return ErrOverflow
		}
		n += by
		return put(ctx, tx, key, strconv.AppendInt(nil, n, 10), expires)
	})
	switch {
	case errors.Is(err, ErrNotInteger) || errors.Is(err, ErrOverflow):
		return 0, err
	case err != nil:
		return 0, s.fail("incr", err)
	}
	s.wrote(ctx, now)
	return n, nil
}

const (
	maxInt64 = 1<<63 - 1
	minInt64 = -1 << 63
)

func (s *SQLite) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	now := s.nowNano()
	_, expires, ok, err := s.lookup(ctx, s.d, key, now)
	switch {
	case err != nil:
		return 0, false, s.fail("ttl", err)
	case !ok:
		return 0, false, nil
	case expires == 0:
		return 0, true, nil
	}
	return time.Duration(expires - now), true, nil
}

func (s *SQLite) Keys(ctx context.Context, prefix string) ([]string, error) {
	q := `SELECT key FROM luaserve_store WHERE key >= :lo AND ` + live
	args := map[string]any{"lo": []byte(prefix), "now": s.nowNano()}
	if hi, ok := prefixEnd(prefix); ok {
		q += ` AND key < :hi`
		args["hi"] = []byte(hi)
	}
	var keys []string
	err := s.d.Query(ctx, q+` ORDER BY key`, db.Args{Named: args}, func(_ []db.Column, vals []any) error {
		keys = append(keys, string(blob(vals[0])))
		return nil
	})
	if err != nil {
		return nil, s.fail("keys", err)
	}
	return keys, nil
}

// prefixEnd is the least string greater than every string that starts with
// prefix; ok is false when there is none (an empty prefix, or all 0xff).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func (s *SQLite) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Hits: s.stats.hits.Load(), Misses: s.stats.misses.Load(), Expired: s.stats.expired.Load()}
	err := s.d.Query(ctx, `SELECT count(*), coalesce(sum(length(key) + length(value) + 8), 0) FROM luaserve_store`, db.Args{},
		func(_ []db.Column, vals []any) error {
			st.Keys, _ = vals[0].(int64)
			st.Bytes, _ = vals[1].(int64)
			return nil
		})
	if err != nil {
		return Stats{}, s.fail("stats", err)
	}
	return st, nil
}

// tx runs fn in a transaction on the writer: it holds the database's write
// lock from its start, so what fn reads stays true until it commits, in
// this process and in any other.
func (s *SQLite) tx(ctx context.Context, fn func(db.Tx) error) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// wrote paces the reclaiming of expired entries: every sweepEvery writes,
// up to a thousand of them go.
func (s *SQLite) wrote(ctx context.Context, now int64) {
	if s.sets.Add(1)%sweepEvery != 0 {
		return
	}
	res, err := s.d.Exec(context.WithoutCancel(ctx), `DELETE FROM luaserve_store WHERE key IN
		(SELECT key FROM luaserve_store WHERE expires != 0 AND expires <= ? LIMIT 1000)`, db.Args{List: []any{now}})
	if err == nil {
		s.stats.expired.Add(res.RowsAffected)
	}
}
