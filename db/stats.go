package db

import (
	"sync/atomic"
	"time"
)

// PoolStats are a database's connections at one moment, and how often a
// statement had to wait for one: what the admin listener's /metrics shows.
type PoolStats struct {
	Open, InUse int64
	Waits       int64         // statements that waited for a connection, since the start
	WaitTime    time.Duration // how long they waited, in all
}

// PoolStatser is a DB that reports its PoolStats.
type PoolStatser interface{ PoolStats() PoolStats }

// waitCount counts waits for a connection; the fast paths, which find one
// free, never touch it.
type waitCount struct{ n, nanos atomic.Int64 }

func (w *waitCount) since(start time.Time) {
	w.n.Add(1)
	w.nanos.Add(int64(time.Since(start)))
}

// PoolStats: the writer and the readers; in use, those held by a
// statement or a transaction.
func (s *SQLite) PoolStats() PoolStats {
	st := PoolStats{Open: 1, InUse: int64(len(s.wlock)), Waits: s.waits.n.Load(), WaitTime: time.Duration(s.waits.nanos.Load())}
	if s.readers != nil {
		st.Open += int64(cap(s.readers))
		st.InUse += int64(cap(s.readers) - len(s.readers))
	}
	return st
}

// PoolStats: pgx's pool; a wait is an acquire that found no idle
// connection.
func (p *Postgres) PoolStats() PoolStats {
	s := p.pool.Stat()
	return PoolStats{Open: int64(s.TotalConns()), InUse: int64(s.AcquiredConns()),
		Waits: s.EmptyAcquireCount(), WaitTime: s.EmptyAcquireWaitTime()}
}

// PoolStats are the database's once it is open; zero before its first use.
func (l *Lazy) PoolStats() PoolStats {
	if d := l.db.Load(); d != nil {
		if ps, ok := (*d).(PoolStatser); ok {
			return ps.PoolStats()
		}
	}
	return PoolStats{}
}
