package db

import "context"

// Ready checks that the database answers, for a readiness probe: its Ping
// when it has one (PostgreSQL's server), else a "SELECT 1"; nothing when
// it is not opened yet (it is opened on first use, and opening then
// reports its own error).
func (l *Lazy) Ready(ctx context.Context) error {
	d := l.db.Load()
	if d == nil {
		return nil
	}
	if p, ok := (*d).(Pinger); ok {
		return p.Ping(ctx)
	}
	return (*d).Query(ctx, "SELECT 1", Args{}, func([]Column, []any) error { return nil })
}
