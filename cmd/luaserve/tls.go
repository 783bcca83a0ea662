package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/fsnotify/fsnotify"
)

// certLoader holds the certificate of -tls-cert and -tls-key and reads the
// files again on the reload signal (SIGHUP) and when they change, so that a
// renewed certificate is used by the next handshake without a restart:
// connections already open keep theirs. A pair that does not load (a
// renewal half written, a key that does not match) is logged and the
// previous certificate kept.
type certLoader struct {
	certFile, keyFile string
	log               *slog.Logger
	cur               atomic.Pointer[tls.Certificate]
}

func newCertLoader(certFile, keyFile string, log *slog.Logger) (*certLoader, error) {
	l := &certLoader{certFile: certFile, keyFile: keyFile, log: log}
	if err := l.load(); err != nil {
		return nil, err
	}
	return l, nil
}

// load reads the pair and, when it is good, makes it the current one.
func (l *certLoader) load() error {
	c, err := tls.LoadX509KeyPair(l.certFile, l.keyFile)
	if err != nil {
		return fmt.Errorf("-tls-cert %s, -tls-key %s: %w", l.certFile, l.keyFile, err)
	}
	l.cur.Store(&c)
	return nil
}

// reload is load for a running server: a failure keeps the old pair.
func (l *certLoader) reload(why string) {
	if err := l.load(); err != nil {
		l.log.Error("luaserve: TLS certificate not reloaded; the previous one is still used", "why", why, "err", err)
		return
	}
	l.log.Info("luaserve: TLS certificate reloaded", "why", why, "subject", l.cur.Load().Leaf.Subject.String())
}

// getCertificate is tls.Config.GetCertificate.
func (l *certLoader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return l.cur.Load(), nil
}

// config is the TLS configuration of the listener: Go's defaults (TLS 1.2
// and 1.3, its cipher suites), HTTP/1.1 by ALPN.
func (l *certLoader) config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}, GetCertificate: l.getCertificate}
}

// watch reloads on the reload signal and when a file in the folders of
// the two files changes (renewal tools replace files or symbolic links),
// until ctx ends; stop waits for it to finish.
func (l *certLoader) watch(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	sigs := make(chan os.Signal, 1)
	if sig, _ := reloadSignal(); sig != nil {
		signal.Notify(sigs, sig)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		l.log.Error("luaserve: cannot watch the TLS certificate; the reload signal still reloads it", "err", err)
	} else {
		for _, f := range []string{l.certFile, l.keyFile} {
			if err := w.Add(filepath.Dir(f)); err != nil {
				l.log.Error("luaserve: cannot watch the TLS certificate's folder", "dir", filepath.Dir(f), "err", err)
			}
		}
	}
	wg.Go(func() { l.loop(ctx, sigs, w) })
	return func() {
		signal.Stop(sigs)
		cancel()
		wg.Wait()
		if w != nil {
			w.Close()
		}
	}
}

func (l *certLoader) loop(ctx context.Context, sigs chan os.Signal, w *fsnotify.Watcher) {
	var events chan fsnotify.Event
	if w != nil {
		events = w.Events
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-sigs:
			l.reload("signal")
		case ev := <-events:
			if l.concerns(ev.Name) && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
				l.reload("file changed")
			}
		}
	}
}

// concerns reports whether a changed path is one of the two files (or,
// for a renewal that swaps a folder of links, anything beside them).
func (l *certLoader) concerns(path string) bool {
	base := filepath.Base(path)
	return base == filepath.Base(l.certFile) || base == filepath.Base(l.keyFile) || base == "..data"
}
