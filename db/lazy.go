package db

import (
	"sync"
	"sync/atomic"
)

// Lazy is a database opened on first use, so that a server whose script
// never touches its database creates no file. It is safe for concurrent
// use; every engine a reload builds shares one.
type Lazy struct {
	open func() (DB, error)
	mu   sync.Mutex // held while opening
	db   atomic.Pointer[DB]
	shut bool // Close was called; guarded by mu
}

// NewLazy returns a Lazy that opens its database with open.
func NewLazy(open func() (DB, error)) *Lazy { return &Lazy{open: open} }

// Opened wraps a database already open.
func Opened(d DB) *Lazy {
	l := &Lazy{}
	l.db.Store(&d)
	return l
}

// Get returns the database, opening it on the first call. A failed open is
// not remembered: the next call tries again.
func (l *Lazy) Get() (DB, error) {
	if d := l.db.Load(); d != nil {
		return *d, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := l.db.Load(); d != nil {
		return *d, nil
	}
	if l.shut || l.open == nil {
		return nil, ErrClosed
	}
	d, err := l.open()
	if err != nil {
		return nil, err
	}
	l.db.Store(&d)
	return d, nil
}

// Close closes the database if it was opened; Get fails afterwards.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.shut = true
	d := l.db.Swap(nil)
	if d == nil {
		return nil
	}
	return (*d).Close()
}
