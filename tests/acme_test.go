package tests

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pebble finds Pebble, Let's Encrypt's ACME test server, and the folder of
// its test certificates: $LUASERVE_PEBBLE, else pebble on the PATH, and
// the module's test/certs in the Go module cache. Without it the test
// skips, unless LUASERVE_REQUIRE_PEBBLE=1.
func pebble(t *testing.T) (bin, certs string) {
	bin = os.Getenv("LUASERVE_PEBBLE")
	if bin == "" {
		bin, _ = exec.LookPath("pebble")
	}
	out, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	matches, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "github.com/letsencrypt/pebble/v2@*/test/certs"))
	if bin == "" || len(matches) == 0 {
		if os.Getenv("LUASERVE_REQUIRE_PEBBLE") == "1" {
			t.Fatal("pebble not found: go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3")
		}
		t.Skip("pebble not found (go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3)")
	}
	return bin, matches[len(matches)-1]
}

// TestACMEWithPebble: with -acme-domains, the first handshake for the
// name gets a certificate from Pebble, which validates against the server
// itself (its name resolved to 127.0.0.1 by a DNS server of the test's):
// by TLS-ALPN-01 on the TLS listener, or, when Pebble cannot reach that,
// by HTTP-01 on -http-redirect-addr. The certificate lands in -acme-cache.
func TestACMEWithPebble(t *testing.T) {
	bin, certs := pebble(t)
	for _, challenge := range []string{"tls-alpn-01", "http-01"} {
		t.Run(challenge, func(t *testing.T) {
			tlsPort, httpPort, elsewhere := freePort(t), freePort(t), freePort(t)
			pebbleTLS := tlsPort
			if challenge == "http-01" {
				pebbleTLS = elsewhere // nobody listens: TLS-ALPN-01 fails first
			}
			directory := startPebble(t, bin, certs, pebbleTLS, httpPort)
			dir := t.TempDir()
			s := startCLIEnv(t, scriptDir(t, "routes.lua", whoScript), []string{"SSL_CERT_FILE=" + filepath.Join(certs, "pebble.minica.pem")},
				"-addr", fmt.Sprintf("127.0.0.1:%d", tlsPort), "-http-redirect-addr", fmt.Sprintf("127.0.0.1:%d", httpPort),
				"-acme-domains", "luaserve.test", "-acme-cache", filepath.Join(dir, "cache"), "-acme-directory", directory, "routes.lua")
			// Pebble's chain is not one to trust: check the leaf's name and issuer.
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 30 * time.Second}, "tcp", strings.TrimPrefix(s.url, "https://"),
				&tls.Config{ServerName: "luaserve.test", InsecureSkipVerify: true})
			if err != nil {
				t.Fatalf("handshake: %v\nluaserve:\n%s", err, s.stderr.String())
			}
			leaf := c.ConnectionState().PeerCertificates[0]
			c.Close()
			if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "luaserve.test" || !strings.Contains(leaf.Issuer.CommonName, "Pebble") {
				t.Errorf("certificate for %v from %q", leaf.DNSNames, leaf.Issuer.CommonName)
			}
			if _, err := os.Stat(filepath.Join(dir, "cache", "luaserve.test")); err != nil {
				t.Errorf("not cached: %v", err)
			}
		})
	}
}

// startPebble runs Pebble validating on tlsPort and httpPort, and returns
// its directory URL.
func startPebble(t *testing.T, bin, certs string, tlsPort, httpPort int) string {
	dir := t.TempDir()
	acmePort := freePort(t)
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress": fmt.Sprintf("127.0.0.1:%d", acmePort), "managementListenAddress": fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"certificate": filepath.Join(certs, "localhost/cert.pem"), "privateKey": filepath.Join(certs, "localhost/key.pem"),
		"httpPort": httpPort, "tlsPort": tlsPort,
	}}
	b, _ := json.Marshal(cfg)
	writeFile(t, filepath.Join(dir, "pebble.json"), string(b))
	pb := exec.Command(bin, "-config", filepath.Join(dir, "pebble.json"), "-dnsserver", loopbackDNS(t))
	pb.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	out := &syncBuffer{}
	pb.Stdout, pb.Stderr = out, out
	if err := pb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pb.Process.Kill(); pb.Wait() })
	waitLog(t, out, regexp.MustCompile(`Listening on`))
	return fmt.Sprintf("https://127.0.0.1:%d/dir", acmePort)
}

// loopbackDNS answers every A question with 127.0.0.1 and every other
// question with no records, over TCP (as Pebble asks) on loopback, until
// the test ends: enough for Pebble to find the server it validates.
func loopbackDNS(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveDNS(c)
		}
	}()
	return ln.Addr().String()
}

// serveDNS answers the length-prefixed queries of one connection.
func serveDNS(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var n [2]byte
	for {
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, int(n[0])<<8|int(n[1]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		res := dnsAnswer(q)
		if res == nil {
			return
		}
		c.Write(append([]byte{byte(len(res) >> 8), byte(len(res))}, res...))
	}
}

// dnsAnswer builds the answer to one query (RFC 1035, section 4.1).
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, type, class
	if end > len(q) {
		return nil
	}
	qtype := int(q[end-4])<<8 | int(q[end-3])
	res := append([]byte{q[0], q[1], 0x85, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}, q[12:end]...)
	if qtype == 1 { // A
		res[7] = 1
		res = append(res, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
	}
	return res
}
