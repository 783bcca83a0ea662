package main

import (
	"errors"
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
func openDB(path string) (*db.Lazy, error) {
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
