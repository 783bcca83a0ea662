package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/luaserve/luaserve/db"
)

// dbPath is where luaserve.db keeps its data: the -db flag, else a file
// beside the script named after it (routes.db for routes.lua); the
// embedded example (no script) gets a throwaway in-memory database, so
// that running the binary with no arguments writes nothing.
func dbPath(flag, script string) string {
	switch {
	case flag != "" && db.IsPostgresURL(flag):
		return flag
	case flag != "":
		return flag
	case script == "":
		return db.Memory
	}
	return strings.TrimSuffix(script, filepath.Ext(script)) + ".db"
}

// openDB returns the database at path, opened on first use so that a
// script that never touches it creates no file. A file that exists
// already is opened now: one that is not a SQLite database, or is
// read-only, fails the start-up with its name.
//
// A postgres:// URL is connected to now, with a pool of a connection per
// Lua state (each holds at most one at a time) and one spare for
// migrations and readiness checks; an unreachable server fails the
// start-up naming its address.
func openDB(ctx context.Context, path string, workers int) (*db.Lazy, error) {
	if db.IsPostgresURL(path) {
		d, err := db.OpenPostgres(ctx, path, db.PostgresOptions{MaxConns: workers + 1})
		if err != nil {
			return nil, fmt.Errorf("-db: %w", err)
		}
		return db.Opened(d), nil
	}
	open := func() (db.DB, error) { return db.OpenSQLite(path, db.SQLiteOptions{}) }
	if path == db.Memory {
		return db.NewLazy(open), nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return db.NewLazy(open), nil
	}
	d, err := open()
	if err != nil {
		return nil, err
	}
	return db.Opened(d), nil
}
