package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is a PostgreSQL database behind DB, through a pgx connection
// pool. Statements are prepared once per connection (pgx's statement
// cache), so a statement a route runs per request is parsed by the server
// once per connection, not per request.
type Postgres struct {
	pool   *pgxpool.Pool
	addr   string // host:port, for messages
	cache  stmtCache
	closed atomic.Bool
}

// PostgresOptions tune OpenPostgres; the zero value is the defaults.
type PostgresOptions struct {
	// MaxConns bounds the pool; zero means 4. Size it to the number of
	// Lua states: each holds at most one connection at a time.
	MaxConns int
	// ConnectTimeout bounds one connection attempt when the URL does not
	// set connect_timeout; zero means 5s.
	ConnectTimeout time.Duration
}

// PostgresDialect is PostgreSQL's: $n placeholders, and no last insert id
// (a script uses RETURNING).
var PostgresDialect = Dialect{Name: "postgres", Placeholder: postgresPlaceholder,
	MigrationLock: "SELECT pg_advisory_xact_lock(" + migrationLockKey + ")"}

// migrationLockKey is the advisory lock's key: "luaserve" in ASCII.
const migrationLockKey = "7815259876622497381"

func postgresPlaceholder(b []byte, n int) []byte {
	return strconv.AppendInt(append(b, '$'), int64(n), 10)
}

// IsPostgresURL reports whether s names a PostgreSQL database.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OpenPostgres connects to the database at url (postgres://user:pass@host:port/name?...)
// and checks that it answers: an unreachable server or a refused login is
// an error naming the address.
func OpenPostgres(ctx context.Context, url string, o PostgresOptions) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 4
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	cfg.MaxConns = int32(o.MaxConns)
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	}
	// A broken connection (the server restarted) is found and dropped by
	// the statement that meets it; check idle ones often, so that after an
	// outage few requests meet one.
	cfg.HealthCheckPeriod = 5 * time.Second
	p := &Postgres{addr: fmt.Sprintf("%s:%d", cfg.ConnConfig.Host, cfg.ConnConfig.Port)}
	p.cache.placeholder = postgresPlaceholder
	if p.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("db postgres %s: %w", p.addr, err)
	}
	pctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	if err := p.pool.Ping(pctx); err != nil {
		p.pool.Close()
		return nil, fmt.Errorf("db postgres %s: cannot connect: %w", p.addr, err)
	}
	return p, nil
}

// Addr is the server's host:port.
func (p *Postgres) Addr() string { return p.addr }

// Dialect is PostgreSQL's.
func (p *Postgres) Dialect() Dialect { return PostgresDialect }

// Close closes the pool, after the connections in use are given back.
func (p *Postgres) Close() error {
	if p.closed.CompareAndSwap(false, true) {
		p.pool.Close()
	}
	return nil
}

// Ping checks that the server answers.
func (p *Postgres) Ping(ctx context.Context) error {
	if p.closed.Load() {
		return ErrClosed
	}
	return p.wrap(ctx, "ping", p.pool.Ping(ctx))
}

// pgQuerier is what pgxpool.Pool and pgx.Tx share.
type pgQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// bound parses text (or finds it cached) and binds args into *ap.
func (p *Postgres) bound(text string, args Args, ap *[]any) (*entry, error) {
	if p.closed.Load() {
		return nil, ErrClosed
	}
	e, _, err := p.cache.get(text)
	if err != nil {
		return nil, err
	}
	*ap, err = e.st.Bind(*ap, args)
	return e, err
}

func (p *Postgres) Exec(ctx context.Context, query string, args Args) (Result, error) {
	return p.exec(ctx, p.pool, query, args)
}

func (p *Postgres) Query(ctx context.Context, query string, args Args, row RowFunc) error {
	return p.query(ctx, p.pool, query, args, row)
}

func (p *Postgres) exec(ctx context.Context, q pgQuerier, text string, args Args) (Result, error) {
	ap := argSlices.Get().(*[]any)
	defer putArgs(ap)
	e, err := p.bound(text, args, ap)
	if err != nil {
		return Result{}, wrap(ctx, text, err)
	}
	tag, err := q.Exec(ctx, e.sql, *ap...)
	if err != nil && q == p.pool && pgconn.SafeToRetry(err) {
		tag, err = q.Exec(ctx, e.sql, *ap...) // a stale pooled connection: nothing was sent
	}
	if err != nil {
		return Result{}, p.wrap(ctx, text, err)
	}
	return Result{RowsAffected: tag.RowsAffected()}, nil
}

func (p *Postgres) query(ctx context.Context, q pgQuerier, text string, args Args, row RowFunc) error {
	ap := argSlices.Get().(*[]any)
	defer putArgs(ap)
	e, err := p.bound(text, args, ap)
	if err != nil {
		return wrap(ctx, text, err)
	}
	rows, err := q.Query(ctx, e.sql, *ap...)
	if err != nil && q == p.pool && pgconn.SafeToRetry(err) {
		rows, err = q.Query(ctx, e.sql, *ap...)
	}
	if err != nil {
		return p.wrap(ctx, text, err)
	}
	err = scanPostgres(rows, row)
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	return p.wrap(ctx, text, err)
}

// wrap is wrap, with an unreachable server made ErrUnavailable naming
// its address.
func (p *Postgres) wrap(ctx context.Context, text string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() == nil && unreachable(err) {
		err = fmt.Errorf("%w (postgres %s): %w", ErrUnavailable, p.addr, err)
	}
	return wrap(ctx, text, err)
}

// pgTx is a transaction on one pooled connection.
type pgTx struct {
	p     *Postgres
	tx    pgx.Tx
	depth int
	done  bool
}

// endTimeout bounds COMMIT and ROLLBACK, which run even after the
// request's context ended.
const endTimeout = 10 * time.Second

// Begin starts a transaction (READ COMMITTED, PostgreSQL's default).
func (p *Postgres) Begin(ctx context.Context) (Tx, error) {
	if p.closed.Load() {
		return nil, ErrClosed
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil && pgconn.SafeToRetry(err) {
		tx, err = p.pool.Begin(ctx)
	}
	if err != nil {
		return nil, p.wrap(ctx, "BEGIN", err)
	}
	return &pgTx{p: p, tx: tx}, nil
}

func (t *pgTx) Exec(ctx context.Context, query string, args Args) (Result, error) {
	if t.done {
		return Result{}, errTxDone
	}
	return t.p.exec(ctx, t.tx, query, args)
}

func (t *pgTx) Query(ctx context.Context, query string, args Args, row RowFunc) error {
	if t.done {
		return errTxDone
	}
	return t.p.query(ctx, t.tx, query, args, row)
}

func (t *pgTx) Commit() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	ctx, cancel := context.WithTimeout(context.Background(), endTimeout)
	defer cancel()
	return t.p.wrap(ctx, "COMMIT", t.tx.Commit(ctx))
}

func (t *pgTx) Rollback() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	ctx, cancel := context.WithTimeout(context.Background(), endTimeout)
	defer cancel()
	err := t.tx.Rollback(ctx)
	if errors.Is(err, pgx.ErrTxClosed) {
		err = nil
	}
	return t.p.wrap(ctx, "ROLLBACK", err)
}

func (t *pgTx) Savepoint(ctx context.Context) (Savepoint, error) {
	if t.done {
		return nil, errTxDone
	}
	t.depth++
	name := "luaserve_sp" + strconv.Itoa(t.depth)
	if _, err := t.tx.Exec(ctx, "SAVEPOINT "+name); err != nil {
		t.depth--
		return nil, t.p.wrap(ctx, "SAVEPOINT "+name, err)
	}
	return &pgSavepoint{t: t, name: name}, nil
}

type pgSavepoint struct {
	t    *pgTx
	name string
}

func (sp *pgSavepoint) Release(ctx context.Context) error {
	sp.t.depth--
	q := "RELEASE SAVEPOINT " + sp.name
	_, err := sp.t.tx.Exec(ctx, q)
	return sp.t.p.wrap(ctx, q, err)
}

// Rollback undoes the savepoint's work, even when ctx has ended, so that
// the enclosing transaction can go on (PostgreSQL refuses every statement
// of a transaction after an error until then).
func (sp *pgSavepoint) Rollback(ctx context.Context) error {
	sp.t.depth--
	q := "ROLLBACK TO SAVEPOINT " + sp.name
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	_, err := sp.t.tx.Exec(c, q)
	if err == nil {
		_, err = sp.t.tx.Exec(c, "RELEASE SAVEPOINT "+sp.name)
	}
	return sp.t.p.wrap(c, q, err)
}
