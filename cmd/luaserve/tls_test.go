package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// writePair writes a self-signed certificate with serial and its key.
func writePair(t *testing.T, certFile, keyFile string, serial int64) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "t"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func serialOf(l *certLoader) int64 {
	c, _ := l.getCertificate(nil)
	return c.Leaf.SerialNumber.Int64()
}

// TestCertLoaderSignal: the reload signal reads the files again; a pair
// that does not load keeps the previous certificate.
func TestCertLoaderSignal(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	writePair(t, cert, key, 1)
	l, err := newCertLoader(cert, key, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal)
	var wg sync.WaitGroup
	wg.Go(func() { l.loop(ctx, sigs, nil) }) // no file watch: only the signal
	defer func() { cancel(); wg.Wait() }()

	writePair(t, cert, key, 2)
	sigs <- syscall.SIGHUP
	sigs <- syscall.SIGHUP // the first has been handled once the loop takes the second
	if got := serialOf(l); got != 2 {
		t.Errorf("after the signal: serial %d, want 2", got)
	}
	os.WriteFile(key, []byte("not a key"), 0o600)
	sigs <- syscall.SIGHUP
	sigs <- syscall.SIGHUP
	if got := serialOf(l); got != 2 {
		t.Errorf("after a broken key: serial %d, want 2 kept", got)
	}
}
