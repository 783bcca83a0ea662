package luatest

import (
	"context"
	"sync/atomic"

	"github.com/luaserve/luaserve/db"
)

// freshDB is a db.DB that each test starts afresh: an in-memory database
// that reset replaces with a copy of the image taken once the script has
// loaded (its migrations applied). A copy, rather than a transaction
// rolled back after each test, lets routes commit, roll back and nest
// db.tx exactly as they do when served.
type freshDB struct {
	cur   atomic.Pointer[db.SQLite]
	image []byte // nil until snapshot
}

func newFreshDB() (*freshDB, error) {
	d, err := db.OpenSQLite(db.Memory, db.SQLiteOptions{})
	if err != nil {
		return nil, err
	}
	f := &freshDB{}
	f.cur.Store(d)
	return f, nil
}

// snapshot keeps the database's content as each test's starting point.
func (f *freshDB) snapshot() error {
	img, err := f.cur.Load().Image(context.Background())
	f.image = img
	return err
}

// reset gives the next test a copy of the snapshot.
func (f *freshDB) reset() error {
	d, err := db.OpenSQLite(db.Memory, db.SQLiteOptions{})
	if err != nil {
		return err
	}
	if err := d.LoadImage(context.Background(), f.image); err != nil {
		d.Close()
		return err
	}
	f.cur.Swap(d).Close()
	return nil
}

func (f *freshDB) Exec(ctx context.Context, q string, args db.Args) (db.Result, error) {
	return f.cur.Load().Exec(ctx, q, args)
}

func (f *freshDB) Query(ctx context.Context, q string, args db.Args, row db.RowFunc) error {
	return f.cur.Load().Query(ctx, q, args, row)
}

func (f *freshDB) Begin(ctx context.Context) (db.Tx, error) { return f.cur.Load().Begin(ctx) }
func (f *freshDB) Close() error                             { return f.cur.Load().Close() }

func (f *freshDB) Dialect() db.Dialect { return db.SQLiteDialect }
