package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// SQLite is a Store kept in a SQLite file: it survives restarts and can be
// shared by several processes on one machine. Writes go through one
// connection in immediate transactions, so increments and swaps are atomic
// across processes too; reads use a small pool of their own, which WAL mode
// lets run beside the writer.
type SQLite struct {
	w, r  *sql.DB
	path  string
	now   func() time.Time
	sets  atomic.Uint64
	stats struct{ hits, misses, expired atomic.Int64 }
}

// sqliteSchema is the store's one table. Keys are blobs so that they
// compare and match prefixes byte by byte; expires is Unix nanoseconds,
// 0 for never.
const sqliteSchema = `
CREATE TABLE IF NOT EXISTS luaserve_store (
	key BLOB PRIMARY KEY,
	value BLOB NOT NULL,
	expires INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS luaserve_store_expires ON luaserve_store(expires) WHERE expires != 0;`

// sqliteDSN opens path with the settings every connection needs: WAL, a
// busy timeout longer than any request waits, and immediate transactions
// (so a transaction takes the write lock when it starts, not half-way).
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// OpenSQLite opens (creating it when absent) the store in the SQLite file
// at path. A file that is not a SQLite database is an error naming it.
func OpenSQLite(path string) (*SQLite, error) {
	w, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s := &SQLite{w: w, r: r, path: path, now: time.Now}
	if _, err := w.Exec(sqliteSchema); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *SQLite) Close() error { return errors.Join(s.w.Close(), s.r.Close()) }

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

// live is the SQL condition of an entry that has not expired at ?now.
const live = `(expires = 0 OR expires > :now)`

func (s *SQLite) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var v []byte
	err := s.r.QueryRowContext(ctx, `SELECT value FROM luaserve_store WHERE key = :key AND `+live,
		sql.Named("key", []byte(key)), sql.Named("now", s.nowNano())).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		s.stats.misses.Add(1)
		return nil, false, nil
	case err != nil:
		return nil, false, s.fail("get", err)
	}
	s.stats.hits.Add(1)
	return v, true, nil
}

func (s *SQLite) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	now := s.nowNano()
	_, err := s.w.ExecContext(ctx, `INSERT INTO luaserve_store (key, value, expires) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
		[]byte(key), value, s.expiry(ttl, now))
	if err != nil {
		return s.fail("set", err)
	}
	s.wrote(ctx, now)
	return nil
}

func (s *SQLite) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	now := s.nowNano()
	res, err := s.w.ExecContext(ctx, `INSERT INTO luaserve_store (key, value, expires) VALUES (:key, :value, :expires)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires
		WHERE NOT `+live, sql.Named("key", []byte(key)), sql.Named("value", value),
		sql.Named("expires", s.expiry(ttl, now)), sql.Named("now", now))
	if err != nil {
		return false, s.fail("add", err)
	}
	n, _ := res.RowsAffected()
	s.wrote(ctx, now)
	return n == 1, nil
}

func (s *SQLite) Swap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (swapped bool, err error) {
	now := s.nowNano()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		cur, ok, err := s.current(ctx, tx, key, now)
		if err != nil || ok != (old != nil) || (ok && string(cur) != string(old)) {
			return err
		}
		swapped = true
		if value == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM luaserve_store WHERE key = ?`, []byte(key))
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO luaserve_store (key, value, expires) VALUES (?, ?, ?)`,
			[]byte(key), value, s.expiry(ttl, now))
		return err
	})
	if err != nil {
		return false, s.fail("cas", err)
	}
	return swapped, nil
}

func (s *SQLite) Delete(ctx context.Context, key string) (bool, error) {
	var existed bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, ok, err := s.current(ctx, tx, key, s.nowNano())
		if err != nil {
			return err
		}
		existed = ok
		_, err = tx.ExecContext(ctx, `DELETE FROM luaserve_store WHERE key = ?`, []byte(key))
		return err
	})
	if err != nil {
		return false, s.fail("delete", err)
	}
	return existed, nil
}

func (s *SQLite) Incr(ctx context.Context, key string, by int64, ttl time.Duration) (n int64, err error) {
	now := s.nowNano()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var v []byte
		expires := s.expiry(ttl, now)
		err := tx.QueryRowContext(ctx, `SELECT value, expires FROM luaserve_store WHERE key = :key AND `+live,
			sql.Named("key", []byte(key)), sql.Named("now", now)).Scan(&v, &expires)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil {
			if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
				return ErrNotInteger
			}
		}
		if (by > 0 && n > maxInt64-by) || (by < 0 && n < minInt64-by) {
			return ErrOverflow
		}
		n += by
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO luaserve_store (key, value, expires) VALUES (?, ?, ?)`,
			[]byte(key), strconv.AppendInt(nil, n, 10), expires)
		return err
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
	var expires int64
	err := s.r.QueryRowContext(ctx, `SELECT expires FROM luaserve_store WHERE key = :key AND `+live,
		sql.Named("key", []byte(key)), sql.Named("now", now)).Scan(&expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, s.fail("ttl", err)
	case expires == 0:
		return 0, true, nil
	}
	return time.Duration(expires - now), true, nil
}

func (s *SQLite) Keys(ctx context.Context, prefix string) ([]string, error) {
	q := `SELECT key FROM luaserve_store WHERE key >= :lo AND ` + live
	args := []any{sql.Named("lo", []byte(prefix)), sql.Named("now", s.nowNano())}
	if hi, ok := prefixEnd(prefix); ok {
		q += ` AND key < :hi`
		args = append(args, sql.Named("hi", []byte(hi)))
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY key`, args...)
	if err != nil {
		return nil, s.fail("keys", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			return nil, s.fail("keys", err)
		}
		keys = append(keys, string(k))
	}
	if err := rows.Err(); err != nil {
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
	err := s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(length(key) + length(value) + 8), 0) FROM luaserve_store`).
		Scan(&st.Keys, &st.Bytes)
	if err != nil {
		return Stats{}, s.fail("stats", err)
	}
	return st, nil
}

// current reads the live value at key inside tx.
func (s *SQLite) current(ctx context.Context, tx *sql.Tx, key string, now int64) ([]byte, bool, error) {
	var v []byte
	err := tx.QueryRowContext(ctx, `SELECT value FROM luaserve_store WHERE key = :key AND `+live,
		sql.Named("key", []byte(key)), sql.Named("now", now)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// tx runs fn in an immediate transaction on the writer: it holds the
// database's write lock from its start, so what fn reads stays true until
// it commits, in this process and in any other.
func (s *SQLite) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
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
	res, err := s.w.ExecContext(context.WithoutCancel(ctx), `DELETE FROM luaserve_store WHERE key IN
		(SELECT key FROM luaserve_store WHERE expires != 0 AND expires <= ? LIMIT 1000)`, now)
	if err == nil {
		n, _ := res.RowsAffected()
		s.stats.expired.Add(n)
	}
}
