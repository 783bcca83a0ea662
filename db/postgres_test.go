package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// postgresURL is the test server: LUASERVE_POSTGRES_URL (.ci/services.sh
// starts one). Without it the test skips, or fails when
// LUASERVE_REQUIRE_POSTGRES is set.
func postgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("LUASERVE_POSTGRES_URL")
	if url == "" {
		if os.Getenv("LUASERVE_REQUIRE_POSTGRES") != "" {
			t.Fatal("LUASERVE_REQUIRE_POSTGRES is set but LUASERVE_POSTGRES_URL is not")
		}
		t.Skip("no PostgreSQL: set LUASERVE_POSTGRES_URL (source .ci/services.sh; services_start)")
	}
	return url
}

// openPostgres opens the test server with a schema of the test's own as
// its search path, dropped at the end.
func openPostgres(t testing.TB) (*Postgres, string) {
	t.Helper()
	url := postgresURL(t)
	schema := "t_" + randomHex(6)
	admin, err := OpenPostgres(context.Background(), url, PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE", Args{})
		admin.Close()
	})
	mustExec(t, admin, "CREATE SCHEMA "+schema)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	surl := url + sep + "search_path=" + schema
	p, err := OpenPostgres(context.Background(), surl, PostgresOptions{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, surl
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestPostgresTypesRoundTrip(t *testing.T) {
	t.Parallel()
	p, _ := openPostgres(t)
	mustExec(t, p, `CREATE TABLE v (i bigint, n numeric, t text, b bytea, f boolean, ts timestamptz,
		j json, jb jsonb, d date, u uuid, r float8, s int4, z text)`)
	blob := []byte("\xff\xfe\x00\x01abc\x80")
	r := mustExec(t, p, "INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		int64(1)<<62, "12345678901234567890.000000001", "héllo", blob, true, "2026-12-01T12:30:00+01:00",
		`{"b":1,"a":[true,null]}`, `{"b":1,"a":2}`, "2026-12-01", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", 0.1, int64(7), nil)
	if r.RowsAffected != 1 || r.LastInsertID != 0 {
		t.Errorf("result %+v", r)
	}
	got := rows(t, p, "SELECT * FROM v", Args{})[0]
	want := []any{int64(1) << 62, "12345678901234567890.000000001", "héllo", blob, true, "2026-12-01T11:30:00Z",
		`{"b":1,"a":[true,null]}`, `{"a": 2, "b": 1}`, "2026-12-01", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", 0.1, int64(7), nil}
	for i := range want {
		if fmt.Sprintf("%T %v", got[i], got[i]) != fmt.Sprintf("%T %v", want[i], want[i]) {
			t.Errorf("column %d: got %T %v, want %T %v", i, got[i], got[i], want[i], want[i])
		}
	}
	// Numbers bind to numeric and text to bigint's neighbours as PostgreSQL casts them.
	if v := rows(t, p, "SELECT count(*) FROM v WHERE n > ? AND i = ?", Args{List: []any{int64(1), "4611686018427387904"}}); v[0][0] != int64(1) {
		t.Errorf("count %v", v)
	}
}

func TestPostgresNamedCastsAndMultiStatements(t *testing.T) {
	t.Parallel()
	p, _ := openPostgres(t)
	mustExec(t, p, "CREATE TABLE a (x int); CREATE TABLE b (y text)")
	_, err := p.Exec(context.Background(), "INSERT INTO a VALUES (:x), (:x + 1)", Args{Named: map[string]any{"x": int64(5)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, p, "SELECT sum(x) FROM a", Args{}); got[0][0] != int64(11) {
		t.Errorf("sum %v", got)
	}
	_, err = p.Exec(context.Background(), "INSERT INTO b VALUES (:v::text || ':not_a_param')", Args{Named: map[string]any{"v": "q"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, p, "SELECT y FROM b", Args{}); got[0][0] != "q:not_a_param" {
		t.Errorf("got %v", got)
	}
	_, err = p.Exec(context.Background(), "INSERT INTO a VALUES (:x)", Args{Named: map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), "x") {
		t.Errorf("missing named parameter: %v", err)
	}
}

func TestPostgresErrorCodes(t *testing.T) {
	t.Parallel()
	p, _ := openPostgres(t)
	mustExec(t, p, "CREATE TABLE u (email text CONSTRAINT u_email_key UNIQUE, n int CHECK (n > 0))")
	mustExec(t, p, "INSERT INTO u VALUES ('a@x', 1)")
	_, err := p.Exec(context.Background(), "INSERT INTO u VALUES (?, 1)", Args{List: []any{"a@x"}})
	var e *Error
	if !errors.As(err, &e) || e.Code != "unique_violation" || e.Constraint != "u_email_key" ||
		!strings.HasPrefix(err.Error(), "unique_violation: ") || !strings.Contains(err.Error(), "INSERT INTO u") {
		t.Errorf("unique violation: %v (%+v)", err, e)
	}
	_, err = p.Exec(context.Background(), "INSERT INTO u VALUES ('b@x', 0)", Args{})
	if !errors.As(err, &e) || e.Code != "check_violation" {
		t.Errorf("check violation: %v", err)
	}
	_, err = p.Exec(context.Background(),
		"DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = 'serialization_failure'; END $$", Args{})
	if !errors.As(err, &e) || e.Code != "serialization_failure" {
		t.Errorf("serialization failure: %v", err)
	}
	if errors.Is(err, ErrUnavailable) {
		t.Errorf("a failed statement is not an unreachable server: %v", err)
	}
}

func TestPostgresTxAndSavepoints(t *testing.T) {
	t.Parallel()
	p, _ := openPostgres(t)
	ctx := context.Background()
	mustExec(t, p, "CREATE TABLE k (id int PRIMARY KEY)")
	tx, err := p.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO k VALUES (1)")
	sp, err := tx.Savepoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO k VALUES (1)", Args{}); err == nil {
		t.Fatal("duplicate key accepted")
	}
	// After the savepoint's rollback the transaction goes on.
	if err := sp.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO k VALUES (2)")
	if got := rows(t, p, "SELECT count(*) FROM k", Args{}); got[0][0] != int64(0) {
		t.Errorf("uncommitted rows visible outside: %v", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, p, "SELECT id FROM k ORDER BY id", Args{}); len(got) != 2 || got[1][0] != int64(2) {
		t.Errorf("after commit: %v", got)
	}
	if err := tx.Commit(); err != errTxDone {
		t.Errorf("second commit: %v", err)
	}
}

// Four servers starting at once against one database apply each step
// exactly once: the advisory lock makes them take turns.
func TestPostgresConcurrentMigrate(t *testing.T) {
	t.Parallel()
	_, url := openPostgres(t)
	steps := []Step{
		{Name: "one", SQL: "CREATE TABLE m1 (x int)"},
		{Name: "two", SQL: "INSERT INTO m1 VALUES (1); CREATE TABLE m2 (y int)"},
	}
	var wg sync.WaitGroup
	applied := make([]int, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Go(func() {
			p, err := OpenPostgres(context.Background(), url, PostgresOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			defer p.Close()
			applied[i], errs[i] = Migrate(context.Background(), p, steps)
		})
	}
	wg.Wait()
	total := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Errorf("server %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != 2 {
		t.Errorf("steps applied %d times in all, want 2 (%v)", total, applied)
	}
	p, err := OpenPostgres(context.Background(), url, PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got := rows(t, p, "SELECT count(*) FROM m1", Args{}); got[0][0] != int64(1) {
		t.Errorf("step two ran more than once: %v", got)
	}
}

func TestPostgresContextEndsQuery(t *testing.T) {
	t.Parallel()
	p, _ := openPostgres(t)
	cause := errors.New("request time limit")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 200*time.Millisecond, cause)
	defer cancel()
	start := time.Now()
	err := p.Query(ctx, "SELECT pg_sleep(10)", Args{}, func([]Column, []any) error { return nil })
	if !errors.Is(err, cause) || time.Since(start) > 5*time.Second {
		t.Errorf("after %v: %v", time.Since(start), err)
	}
	// The pool still serves.
	if got := rows(t, p, "SELECT 1", Args{}); got[0][0] != int64(1) {
		t.Errorf("after the interrupted query: %v", got)
	}
}

func TestPostgresStartupErrorNamesAddress(t *testing.T) {
	t.Parallel()
	_, err := OpenPostgres(context.Background(), "postgres://nobody@127.0.0.1:1/x?sslmode=disable", PostgresOptions{ConnectTimeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("got %v", err)
	}
}
