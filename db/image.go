package db

import (
	"context"
	"database/sql"
	"errors"
)

// serializer is what modernc.org/sqlite's connection offers for
// sqlite3_serialize and sqlite3_deserialize.
type serializer interface {
	Serialize() ([]byte, error)
	Deserialize([]byte) error
}

// Image returns the database's content as the bytes of a SQLite file (a
// consistent copy: it waits for the writer, so no transaction is half
// done in it).
func (s *SQLite) Image(ctx context.Context) ([]byte, error) {
	var img []byte
	err := s.onWriter(ctx, false, func(c *sql.Conn) error {
		return c.Raw(func(dc any) error {
			ser, ok := dc.(serializer)
			if !ok {
				return errors.New("db: the driver cannot serialize")
			}
			var err error
			img, err = ser.Serialize()
			return err
		})
	})
	return img, err
}

// LoadImage replaces an in-memory database's content with img, from
// Image. Call it before any statement runs (the test runner does, on a
// database just opened): statements prepared earlier belong to the old
// content.
func (s *SQLite) LoadImage(ctx context.Context, img []byte) error {
	if !s.memory {
		return errors.New("db: LoadImage is for in-memory databases")
	}
	return s.onWriter(ctx, false, func(c *sql.Conn) error {
		return c.Raw(func(dc any) error {
			ser, ok := dc.(serializer)
			if !ok {
				return errors.New("db: the driver cannot deserialize")
			}
			return ser.Deserialize(img)
		})
	})
}
