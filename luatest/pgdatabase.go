package luatest

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/luaserve/luaserve/db"
)

// postgresDB runs a test file in a schema of its own, dropped at the end.
// snapshot copies the schema's tables (and sequence positions) into a
// second schema once the script has loaded; reset empties the tables and
// copies the snapshot back, in the order the tables were created (parents
// before the children that refer to them), so that each test starts from
// the migrated database, as with SQLite.
type postgresDB struct {
	*db.Postgres
	admin  *db.Postgres // on the database's default search path
	schema string
	tables []string // created by the script, in creation order
	filled []string // those with rows at the snapshot
	seqs   map[string]int64
}

func newPostgresDB(url string) (*postgresDB, error) {
	ctx := context.Background()
	admin, err := db.OpenPostgres(ctx, url, db.PostgresOptions{MaxConns: 1})
	if err != nil {
		return nil, err
	}
	p := &postgresDB{admin: admin, schema: "luaserve_test_" + randomName(), seqs: map[string]int64{}}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+p.schema+"; CREATE SCHEMA "+p.schema+"_snap", db.Args{}); err != nil {
		admin.Close()
		return nil, err
	}
	surl, err := withSearchPath(url, p.schema)
	if err == nil {
		p.Postgres, err = db.OpenPostgres(ctx, surl, db.PostgresOptions{MaxConns: 4})
	}
	if err != nil {
		p.dropSchemas()
		return nil, err
	}
	return p, nil
}

func (p *postgresDB) dropSchemas() {
	p.admin.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+p.schema+" CASCADE; DROP SCHEMA IF EXISTS "+
		p.schema+"_snap CASCADE", db.Args{})
	p.admin.Close()
}

func (p *postgresDB) Close() error {
	err := p.Postgres.Close()
	p.dropSchemas()
	return err
}

func (p *postgresDB) snapshot() error {
	ctx := context.Background()
	err := p.admin.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = ? AND c.relkind = 'r' AND c.relname <> ? ORDER BY c.oid`,
		db.Args{List: []any{p.schema, db.MigrationsTable}}, func(_ []db.Column, v []any) error {
			p.tables = append(p.tables, v[0].(string))
			return nil
		})
	if err != nil {
		return err
	}
	var script strings.Builder
	for _, t := range p.tables {
		var n int64
		q := "SELECT count(*) FROM " + p.table(t)
		if err := p.admin.Query(ctx, q, db.Args{}, func(_ []db.Column, v []any) error { n = v[0].(int64); return nil }); err != nil {
			return err
		}
		if n > 0 {
			p.filled = append(p.filled, t)
			script.WriteString("CREATE TABLE " + p.snapTable(t) + " AS TABLE " + p.table(t) + ";")
		}
	}
	err = p.admin.Query(ctx, "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = ? AND last_value IS NOT NULL",
		db.Args{List: []any{p.schema}}, func(_ []db.Column, v []any) error {
			p.seqs[v[0].(string)] = v[1].(int64)
			return nil
		})
	if err != nil || script.Len() == 0 {
		return err
	}
	_, err = p.admin.Exec(ctx, script.String(), db.Args{})
	return err
}

func (p *postgresDB) reset() error {
	if len(p.tables) == 0 {
		return nil
	}
	var script strings.Builder
	script.WriteString("TRUNCATE ")
	for i, t := range p.tables {
		if i > 0 {
			script.WriteString(", ")
		}
		script.WriteString(p.table(t))
	}
	script.WriteString(" RESTART IDENTITY CASCADE;")
	for _, t := range p.filled {
		script.WriteString("INSERT INTO " + p.table(t) + " OVERRIDING SYSTEM VALUE SELECT * FROM " + p.snapTable(t) + ";")
	}
	for s, v := range p.seqs {
		script.WriteString("SELECT setval('" + strings.ReplaceAll(p.table(s), "'", "''") + "', " + strconv.FormatInt(v, 10) + ");")
	}
	_, err := p.admin.Exec(context.Background(), script.String(), db.Args{})
	return err
}

func (p *postgresDB) table(name string) string {
	return pgx.Identifier{p.schema, name}.Sanitize()
}

func (p *postgresDB) snapTable(name string) string {
	return pgx.Identifier{p.schema + "_snap", name}.Sanitize()
}
