package db

import (
	"context"
	"testing"
)

// BenchmarkPostgresQueryRow: one row by primary key through Query, as
// luaserve.db's db.row does below Lua; BenchmarkPgxQueryRowScan is the
// same read straight through pgx into typed variables, the floor.
func BenchmarkPostgresQueryRow(b *testing.B) {
	p, _ := openPostgres(b)
	ctx := context.Background()
	mustExec(b, p, "CREATE TABLE users (id bigint PRIMARY KEY, name text, email text)")
	mustExec(b, p, "INSERT INTO users VALUES (42, 'user-42', 'user-42@example.com')")
	args := Args{List: []any{int64(42)}}
	var got any
	row := func(_ []Column, v []any) error { got = v[1]; return ErrStop }
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Query(ctx, "SELECT id, name, email FROM users WHERE id = ?", args, row); err != nil {
			b.Fatal(err)
		}
	}
	if got != "user-42" {
		b.Fatalf("got %v", got)
	}
}

func BenchmarkPgxQueryRowScan(b *testing.B) {
	p, _ := openPostgres(b)
	ctx := context.Background()
	mustExec(b, p, "CREATE TABLE users (id bigint PRIMARY KEY, name text, email text)")
	mustExec(b, p, "INSERT INTO users VALUES (42, 'user-42', 'user-42@example.com')")
	var id int64
	var name, email string
	b.ReportAllocs()
	for b.Loop() {
		if err := p.pool.QueryRow(ctx, "SELECT id, name, email FROM users WHERE id = $1", int64(42)).Scan(&id, &name, &email); err != nil {
			b.Fatal(err)
		}
	}
	if name != "user-42" {
		b.Fatalf("got %v", name)
	}
}
