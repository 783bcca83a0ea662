package db

import (
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgRowBufs recycles the converted values of a row.
var pgRowBufs = sync.Pool{New: func() any { return new([]any) }}

// scanPostgres hands rows to row, each value converted to one of the
// interface's types (see pgValue).
func scanPostgres(rows pgx.Rows, row RowFunc) error {
	fields := rows.FieldDescriptions()
	cols := make([]Column, len(fields))
	for i, f := range fields {
		cols[i] = Column{Name: f.Name}
	}
	vp := pgRowBufs.Get().(*[]any)
	defer func() {
		clear(*vp)
		pgRowBufs.Put(vp)
	}()
	if cap(*vp) < len(fields) {
		*vp = make([]any, len(fields))
	}
	vals := (*vp)[:len(fields)]
	for rows.Next() {
		raw := rows.RawValues()
		got, err := rows.Values()
		if err != nil {
			return err
		}
		for i, f := range fields {
			vals[i] = pgValue(f, got[i], raw[i])
		}
		if err := row(cols, vals); err != nil {
			if err == ErrStop {
				return nil
			}
			return err
		}
	}
	return nil
}

// pgValue converts what pgx decoded into nil, int64, float64, string,
// []byte or bool: integers and floats as themselves, numeric as the exact
// text of its digits, text as text, bytea as bytes, json and jsonb as
// their JSON text (json.decode it), timestamptz as RFC 3339 in UTC, date
// as YYYY-MM-DD, timestamp as "YYYY-MM-DD HH:MM:SS", uuid in its usual
// form, arrays as JSON text, anything else as its text.
func pgValue(f pgconn.FieldDescription, v any, raw []byte) any {
	switch f.DataTypeOID {
	case pgtype.JSONOID, pgtype.JSONBOID:
		if raw == nil {
			return nil
		}
		if f.Format == pgx.BinaryFormatCode && f.DataTypeOID == pgtype.JSONBOID && len(raw) > 0 {
			raw = raw[1:] // jsonb's binary form is a version byte, then the text
		}
		return string(raw)
	}
	switch v := v.(type) {
	case nil, int64, float64, string, []byte, bool:
		return v
	case int16:
		return int64(v)
	case int32:
		return int64(v)
	case uint32:
		return int64(v)
	case float32:
		return float64(v)
	case time.Time:
		return pgTime(f.DataTypeOID, v)
	case [16]byte:
		h := hex.EncodeToString(v[:])
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	case []any, map[string]any:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	case driver.Valuer: // numeric, interval, ...: their text
		if dv, err := v.Value(); err == nil {
			if s, ok := dv.(string); ok {
				return s
			}
			return fmt.Sprint(dv)
		}
	}
	return fmt.Sprint(v)
}

func pgTime(oid uint32, t time.Time) string {
	switch oid {
	case pgtype.DateOID:
		return t.Format(time.DateOnly)
	case pgtype.TimestampOID:
		return t.Format("2006-01-02 15:04:05.999999")
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// postgresCode sets e's portable Code and Constraint from PostgreSQL's
// SQLSTATE.
func postgresCode(e *Error) {
	var pe *pgconn.PgError
	if !errors.As(e.Err, &pe) {
		return
	}
	switch pe.Code {
	case "23505":
		e.Code = "unique_violation"
	case "23503":
		e.Code = "foreign_key_violation"
	case "23502":
		e.Code = "not_null_violation"
	case "23514":
		e.Code = "check_violation"
	case "40001":
		e.Code = "serialization_failure"
	case "40P01":
		e.Code = "deadlock_detected"
	default:
		return
	}
	e.Constraint = pe.ConstraintName
}

// unreachable reports whether err means the server cannot be reached or
// is going away, rather than that the statement failed.
func unreachable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && pe.Code[:2] == "08": // connection exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", pe.Code == "53300":
			// admin or crash shutdown, cannot connect now, too many connections
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
