package db

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTemp(t testing.TB) *SQLite {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "t.db"), SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustExec(t testing.TB, d Querier, q string, args ...any) Result {
	t.Helper()
	r, err := d.Exec(context.Background(), q, Args{List: args})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rows collects a query's rows as copies.
func rows(t testing.TB, d Querier, q string, args Args) [][]any {
	t.Helper()
	var out [][]any
	err := d.Query(context.Background(), q, args, func(_ []Column, v []any) error {
		out = append(out, append([]any(nil), v...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTypesRoundTrip(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustExec(t, s, "CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, f BOOLEAN, n TEXT)")
	blob := []byte("\xff\xfe\x00\x01abc\x80")
	r := mustExec(t, s, "INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)", int64(math.MaxInt64), 0.1, "héllo", blob, true, nil)
	if r.RowsAffected != 1 || r.LastInsertID != 1 {
		t.Errorf("result %+v", r)
	}
	var cols []Column
	var got []any
	err := s.Query(context.Background(), "SELECT * FROM v", Args{}, func(c []Column, v []any) error {
		cols, got = c, append([]any(nil), v...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(math.MaxInt64), 0.1, "héllo", blob, int64(1), nil}
	for i := range want {
		if w, ok := want[i].([]byte); ok {
			if string(got[i].([]byte)) != string(w) {
				t.Errorf("col %d: %q", i, got[i])
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("col %d = %#v, want %#v", i, got[i], want[i])
		}
	}
	if !cols[4].Bool || cols[0].Bool || cols[2].Name != "t" {
		t.Errorf("columns %+v", cols)
	}
}

func TestNamedAndInjection(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustExec(t, s, "CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT)")
	evil := "x'); DROP TABLE u; --"
	if _, err := s.Exec(context.Background(), "INSERT INTO u (name) VALUES (:name)", Args{Named: map[string]any{"name": evil}}); err != nil {
		t.Fatal(err)
	}
	got := rows(t, s, "SELECT name FROM u WHERE id = :id", Args{Named: map[string]any{"id": int64(1)}})
	if len(got) != 1 || got[0][0] != evil {
		t.Fatalf("got %v", got)
	}
}

func TestErrorsCarryMessageAndStatement(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	_, err := s.Exec(context.Background(), "SELEC 1", Args{})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "syntax error") || !strings.Contains(err.Error(), `"SELEC 1"`) {
		t.Fatalf("err = %v", err)
	}
	err = s.Query(context.Background(), "SELECT * FROM nope", Args{}, func([]Column, []any) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no such table: nope") {
		t.Fatalf("err = %v", err)
	}
}

func TestTxAndSavepoints(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := context.Background()
	mustExec(t, s, "CREATE TABLE a (x INTEGER)")
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO a VALUES (1)")
	sp, err := tx.Savepoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "INSERT INTO a VALUES (2)")
	if err := sp.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	sp, _ = tx.Savepoint(ctx)
	mustExec(t, tx, "INSERT INTO a VALUES (3)")
	if err := sp.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// Inside the transaction, reads see its writes; outside, not yet.
	if n := len(rows(t, tx, "SELECT x FROM a", Args{})); n != 2 {
		t.Errorf("in tx: %d rows", n)
	}
	if n := len(rows(t, s, "SELECT x FROM a", Args{})); n != 0 {
		t.Errorf("outside tx: %d rows", n)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got := rows(t, s, "SELECT x FROM a ORDER BY x", Args{})
	if len(got) != 2 || got[0][0] != int64(1) || got[1][0] != int64(3) {
		t.Fatalf("got %v", got)
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := context.Background()
	steps := []Step{
		{"1", "CREATE TABLE a (x INTEGER); CREATE INDEX a_x ON a (x);"},
		{"2", "ALTER TABLE a ADD COLUMN y TEXT"},
	}
	if n, err := Migrate(ctx, s, steps); n != 2 || err != nil {
		t.Fatalf("first: %d, %v", n, err)
	}
	if n, err := Migrate(ctx, s, steps); n != 0 || err != nil {
		t.Fatalf("again: %d, %v", n, err)
	}
	steps = append(steps, Step{"3", "INSERT INTO a VALUES (1, 'one')"})
	if n, err := Migrate(ctx, s, steps); n != 1 || err != nil {
		t.Fatalf("new step: %d, %v", n, err)
	}
	steps[1].SQL = "ALTER TABLE a ADD COLUMN z TEXT"
	var ee *EditedError
	if _, err := Migrate(ctx, s, steps); !errors.As(err, &ee) || ee.Name != "2" {
		t.Fatalf("edited: %v", err)
	}
	bad := []Step{{"1", steps[0].SQL}, {"2", "ALTER TABLE a ADD COLUMN y TEXT"}, {"3", steps[2].SQL}, {"4", "CREATE TABLE b (x); NOT SQL"}}
	if _, err := Migrate(ctx, s, bad); err == nil || !strings.Contains(err.Error(), `migration "4"`) {
		t.Fatalf("failing step: %v", err)
	}
	// The failed step left nothing behind.
	if got := rows(t, s, "SELECT count(*) FROM sqlite_master WHERE name = 'b'", Args{}); got[0][0] != int64(0) {
		t.Fatalf("table b exists after a failed step")
	}
}

func TestOpenRefusesBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.db")
	os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o644)
	if _, err := OpenSQLite(notDB, SQLiteOptions{}); err == nil || !strings.Contains(err.Error(), notDB) ||
		!strings.Contains(err.Error(), "not a SQLite database") {
		t.Errorf("not a database: %v", err)
	}
	ro := filepath.Join(dir, "ro.db")
	s, err := OpenSQLite(ro, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Chmod(ro, 0o444)
	if _, err := OpenSQLite(ro, SQLiteOptions{}); err == nil || !strings.Contains(err.Error(), ro) ||
		!strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only: %v", err)
	}
}

func TestContextInterruptsLongQuery(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	cause := errors.New("time limit")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(100*time.Millisecond, func() { cancel(cause) })
	start := time.Now()
	err := s.Query(ctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c", Args{},
		func([]Column, []any) error { return nil })
	if !errors.Is(err, cause) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	// The connection is still good.
	if got := rows(t, s, "SELECT 1", Args{}); got[0][0] != int64(1) {
		t.Fatal("query after interrupt failed")
	}
}

func TestMemoryIsOneDatabase(t *testing.T) {
	t.Parallel()
	s, err := OpenSQLite(Memory, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustExec(t, s, "CREATE TABLE a (x)")
	mustExec(t, s, "INSERT INTO a VALUES (1)")
	if got := rows(t, s, "SELECT x FROM a", Args{}); len(got) != 1 {
		t.Fatalf("got %v", got)
	}
}

// TestConcurrentWriters: writers queue on the one connection; none sees
// "database is locked", and every increment counts.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := context.Background()
	mustExec(t, s, "CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER)")
	mustExec(t, s, "INSERT INTO c VALUES (1, 0)")
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := s.Exec(ctx, "UPDATE c SET n = n + 1 WHERE id = 1", Args{}); err != nil {
					errs <- err
					return
				}
				if err := s.Query(ctx, "SELECT n FROM c WHERE id = ?", Args{List: []any{int64(1)}},
					func([]Column, []any) error { return nil }); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := rows(t, s, "SELECT n FROM c", Args{}); got[0][0] != int64(workers*each) {
		t.Fatalf("counter %v", got[0][0])
	}
}

// TestBackupWithVacuumInto: VACUUM INTO ? writes a consistent copy while
// the database is open (the README's backup).
func TestBackupWithVacuumInto(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	mustExec(t, s, "CREATE TABLE a (x)")
	mustExec(t, s, "INSERT INTO a VALUES (?)", "kept")
	backup := filepath.Join(t.TempDir(), "backup.db")
	mustExec(t, s, "VACUUM INTO ?", backup)
	b, err := OpenSQLite(backup, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := rows(t, b, "SELECT x FROM a", Args{}); len(got) != 1 || got[0][0] != "kept" {
		t.Fatalf("backup holds %v", got)
	}
}
