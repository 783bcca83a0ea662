package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Step is one migration: a name (unique) and its SQL, which may hold
// several statements.
type Step struct {
	Name string
	SQL  string
}

// MigrationsTable is where Migrate records the steps it applied.
const MigrationsTable = "luaserve_migrations"

// EditedError is a step applied earlier whose SQL has changed since: the
// database no longer matches the script, and Migrate stops.
type EditedError struct{ Name string }

func (e *EditedError) Error() string {
	return fmt.Sprintf("migration %q was changed after it was applied; add a new step instead of editing an applied one", e.Name)
}

// Migrate applies the steps not applied yet, in order, each in a
// transaction of its own with its record in MigrationsTable, and returns
// how many it applied. It first checks every applied step against its
// record: one whose SQL changed (beyond leading and trailing space) is an
// *EditedError and nothing runs.
func Migrate(ctx context.Context, d DB, steps []Step) (applied int, err error) {
	if err := checkNames(steps); err != nil {
		return 0, err
	}
	if err := createTable(ctx, d); err != nil {
		return 0, err
	}
	done, err := appliedSteps(ctx, d)
	if err != nil {
		return 0, err
	}
	for _, s := range steps {
		if h, ok := done[s.Name]; ok && h != stepHash(s.SQL) {
			return 0, &EditedError{s.Name}
		}
	}
	for _, s := range steps {
		if _, ok := done[s.Name]; ok {
			continue
		}
		ran, err := applyStep(ctx, d, s)
		if err != nil {
			return applied, err
		}
		if ran {
			applied++
		}
	}
	return applied, nil
}

// createTable creates the bookkeeping table, under the migration lock:
// PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against itself in
// another session.
func createTable(ctx context.Context, d DB) (err error) {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = lockMigrations(ctx, d, tx); err != nil {
		return err
	}
	if _, err = tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+MigrationsTable+
		" (name TEXT PRIMARY KEY, hash TEXT NOT NULL, applied_at TEXT NOT NULL)", Args{}); err != nil {
		return err
	}
	return tx.Commit()
}

// lockMigrations takes the dialect's migration lock in tx, if it has one.
func lockMigrations(ctx context.Context, d DB, tx Tx) error {
	dl, ok := d.(Dialecter)
	if !ok || dl.Dialect().MigrationLock == "" {
		return nil
	}
	_, err := tx.Exec(ctx, dl.Dialect().MigrationLock, Args{})
	return err
}

func checkNames(steps []Step) error {
	seen := map[string]bool{}
	for _, s := range steps {
		if s.Name == "" {
			return fmt.Errorf("migration step without a name")
		}
		if seen[s.Name] {
			return fmt.Errorf("two migration steps named %q", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

func appliedSteps(ctx context.Context, q Querier) (map[string]string, error) {
	done := map[string]string{}
	err := q.Query(ctx, "SELECT name, hash FROM "+MigrationsTable, Args{}, func(_ []Column, v []any) error {
		name, _ := v[0].(string)
		hash, _ := v[1].(string)
		done[name] = hash
		return nil
	})
	return done, err
}

// applyStep runs s and records it, in one transaction; ran is false when
// another server (or Lua state) applied it meanwhile.
func applyStep(ctx context.Context, d DB, s Step) (ran bool, err error) {
	tx, err := d.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil || !ran {
			tx.Rollback()
		}
	}()
	if err = lockMigrations(ctx, d, tx); err != nil {
		return false, err
	}
	var n int64
	err = tx.Query(ctx, "SELECT count(*) FROM "+MigrationsTable+" WHERE name = ?", Args{List: []any{s.Name}},
		func(_ []Column, v []any) error { n, _ = v[0].(int64); return nil })
	if err != nil || n > 0 {
		return false, err
	}
	if _, err = tx.Exec(ctx, s.SQL, Args{}); err != nil {
		return false, fmt.Errorf("migration %q: %w", s.Name, err)
	}
	_, err = tx.Exec(ctx, "INSERT INTO "+MigrationsTable+" (name, hash, applied_at) VALUES (?, ?, ?)",
		Args{List: []any{s.Name, stepHash(s.SQL), time.Now().UTC().Format(time.RFC3339)}})
	if err != nil {
		return false, err
	}
	if err = tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}

// stepHash identifies a step's SQL, ignoring the space around it.
func stepHash(sql string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(sql)))
	return hex.EncodeToString(sum[:])
}
