package db

import (
	"context"
	"testing"
)

func TestLazyReady(t *testing.T) {
	opened := false
	l := NewLazy(func() (DB, error) {
		opened = true
		return OpenSQLite(":memory:", SQLiteOptions{})
	})
	ctx := context.Background()
	if err := l.Ready(ctx); err != nil || opened {
		t.Fatalf("before first use: %v, opened %v", err, opened)
	}
	if _, err := l.Get(); err != nil {
		t.Fatal(err)
	}
	if err := l.Ready(ctx); err != nil {
		t.Fatalf("open: %v", err)
	}
	d, _ := l.Get()
	d.Close()
	if err := l.Ready(ctx); err == nil {
		t.Error("a closed database is ready")
	}
}
