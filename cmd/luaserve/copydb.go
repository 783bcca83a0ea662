package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/luaserve/luaserve/db"
)

// copyDBCmd is "luaserve copy-db FILE.db postgres://...": a prototype's
// SQLite data moved into the PostgreSQL database its script has migrated.
func copyDBCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("luaserve copy-db", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: luaserve copy-db FILE.db postgres://user:pass@host:port/name

Copies every table of the SQLite file into the tables of the same names in
PostgreSQL, in one transaction, and moves identity and serial sequences past
the copied ids. Start luaserve once with -db postgres://... first, so that the
script's migrations create the tables there; they must be empty. Stop the
server that writes FILE.db before copying.
`)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || !db.IsPostgresURL(fs.Arg(1)) {
		fs.Usage()
		return usageError{"copy-db takes a SQLite file and a postgres:// URL"}
	}
	from, to := fs.Arg(0), fs.Arg(1)
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("copy-db: %w", err)
	}
	ctx := context.Background()
	src, err := db.OpenSQLite(from, db.SQLiteOptions{})
	if err != nil {
		return fmt.Errorf("copy-db: %w", err)
	}
	defer src.Close()
	dst, err := db.OpenPostgres(ctx, to, db.PostgresOptions{MaxConns: 1})
	if err != nil {
		return fmt.Errorf("copy-db: %w", err)
	}
	defer dst.Close()
	copied, err := db.CopyToPostgres(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("copy-db: nothing copied: %w", err)
	}
	for _, c := range copied {
		fmt.Fprintf(stdout, "%s: %d rows\n", c.Table, c.Rows)
	}
	return nil
}
