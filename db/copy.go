package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Copied is one table CopyToPostgres filled.
type Copied struct {
	Table string
	Rows  int64
}

// CopyToPostgres copies every table of a SQLite database (but the
// migrations' bookkeeping) into the tables of the same names in a
// PostgreSQL database, which the script's own migrations made (start the
// server once with -db postgres://... first), and moves each identity or
// serial column's sequence past the copied ids, so that the next insert
// does not collide. It is one transaction: a table missing, or already
// holding rows, or a value PostgreSQL refuses, and nothing is copied.
// Columns are matched by name; SQLite's BOOLEAN 0 and 1 become false and
// true.
func CopyToPostgres(ctx context.Context, src *SQLite, dst *Postgres) ([]Copied, error) {
	var tables []string
	err := src.Query(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND name <> ? ORDER BY rowid`, Args{List: []any{MigrationsTable}}, func(_ []Column, v []any) error {
		tables = append(tables, v[0].(string))
		return nil
	})
	if err != nil {
		return nil, err
	}
	tx, err := dst.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var done []Copied
	for _, t := range tables {
		if err := checkTarget(ctx, tx, t); err != nil {
			return nil, err
		}
		n, err := copyTable(ctx, src, tx, t)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		if err := advanceSequences(ctx, tx, t); err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		done = append(done, Copied{t, n})
	}
	return done, tx.Commit()
}

// checkTarget makes sure table exists in PostgreSQL, empty.
func checkTarget(ctx context.Context, tx Tx, table string) error {
	var found bool
	err := tx.Query(ctx, "SELECT to_regclass(?) IS NOT NULL", Args{List: []any{quoteIdent(table)}},
		func(_ []Column, v []any) error { found = v[0] == true; return nil })
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("table %s is not in the PostgreSQL database: start luaserve once with -db postgres://... "+
			"so that the script's migrations create it, then copy", table)
	}
	var rows int64
	err = tx.Query(ctx, "SELECT count(*) FROM "+quoteIdent(table), Args{},
		func(_ []Column, v []any) error { rows = v[0].(int64); return nil })
	if err == nil && rows > 0 {
		err = fmt.Errorf("table %s already holds %d rows in PostgreSQL: copy into empty tables only", table, rows)
	}
	return err
}

// copyTable inserts every row of table, column by column name.
func copyTable(ctx context.Context, src *SQLite, tx Tx, table string) (int64, error) {
	var n int64
	var insert string
	err := src.Query(ctx, "SELECT * FROM "+quoteIdent(table), Args{}, func(cols []Column, vals []any) error {
		if insert == "" {
			names := make([]string, len(cols))
			marks := make([]string, len(cols))
			for i, c := range cols {
				names[i], marks[i] = quoteIdent(c.Name), "?"
			}
			insert = "INSERT INTO " + quoteIdent(table) + " (" + strings.Join(names, ", ") +
				") OVERRIDING SYSTEM VALUE VALUES (" + strings.Join(marks, ", ") + ")"
		}
		for i, c := range cols {
			if v, ok := vals[i].(int64); ok && c.Bool && (v == 0 || v == 1) {
				vals[i] = v == 1
			}
		}
		if _, err := tx.Exec(ctx, insert, Args{List: vals}); err != nil {
			return fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
		return nil
	})
	return n, err
}

// advanceSequences sets the sequence behind each identity or serial
// column of table to follow the largest value copied.
func advanceSequences(ctx context.Context, tx Tx, table string) error {
	var cols []string
	err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`,
		Args{List: []any{table}}, func(_ []Column, v []any) error {
			cols = append(cols, v[0].(string))
			return nil
		})
	for _, c := range cols {
		if err != nil {
			break
		}
		_, err = tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max("+quoteIdent(c)+"), 0) + 1, false) FROM "+
			quoteIdent(table), Args{List: []any{quoteIdent(table), c}})
	}
	return err
}

func quoteIdent(name string) string { return pgx.Identifier{name}.Sanitize() }
