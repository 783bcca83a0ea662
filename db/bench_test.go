package db

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkQueryRow: one row by primary key through the reader pool, with
// the statement cached: what luaserve.db's db.row costs below Lua.
func BenchmarkQueryRow(b *testing.B) {
	s, err := OpenSQLite(filepath.Join(b.TempDir(), "b.db"), SQLiteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.Exec(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT)", Args{})
	s.Exec(ctx, "INSERT INTO users VALUES (42, 'user-42', 'user-42@example.com')", Args{})
	args := Args{List: []any{int64(42)}}
	var got any
	row := func(_ []Column, v []any) error { got = v[1]; return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Query(ctx, "SELECT id, name, email FROM users WHERE id = ?", args, row); err != nil {
			b.Fatal(err)
		}
	}
	if got != "user-42" {
		b.Fatalf("got %v", got)
	}
}

// BenchmarkInsert: one autocommit INSERT on the writer (WAL, synchronous
// NORMAL: no fsync per commit).
func BenchmarkInsert(b *testing.B) {
	s, err := OpenSQLite(filepath.Join(b.TempDir(), "b.db"), SQLiteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.Exec(ctx, "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT, n INTEGER)", Args{})
	args := Args{List: []any{"now", int64(1)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Exec(ctx, "INSERT INTO events (at, n) VALUES (?, ?)", args); err != nil {
			b.Fatal(err)
		}
	}
}
