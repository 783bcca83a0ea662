package main

import (
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/luaserve/luaserve/httpcore"
)

// acmeChallengePath is where HTTP-01 challenges are asked for.
const acmeChallengePath = "/.well-known/acme-challenge/"

// newACME is the certificate manager of -acme-domains: certificates from
// an ACME CA (Let's Encrypt unless -acme-directory), obtained on the first
// handshake for a listed name, kept in -acme-cache and renewed before they
// expire. TLS-ALPN-01 challenges are answered on the TLS listener; HTTP-01
// ones on -http-redirect-addr when it is port 80.
func newACME(o *deployOptions) (*autocert.Manager, []string) {
	var domains []string
	for _, d := range strings.Split(o.acmeDomains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			domains = append(domains, d)
		}
	}
	m := &autocert.Manager{Prompt: autocert.AcceptTOS, HostPolicy: autocert.HostWhitelist(domains...),
		Cache: autocert.DirCache(o.acmeCache), Email: o.acmeEmail}
	if o.acmeDirectory != "" {
		m.Client = &acme.Client{DirectoryURL: o.acmeDirectory}
	}
	return m, domains
}

// acmeTLSConfig is the listener's TLS configuration with m's certificates:
// Go's defaults, HTTP/1.1 and the TLS-ALPN-01 protocol by ALPN. A failure
// to get the certificate of one of domains is logged (other names are
// scanners').
func acmeTLSConfig(m *autocert.Manager, domains []string, log *slog.Logger) *tls.Config {
	get := func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := m.GetCertificate(hello)
		if err != nil && slices.Contains(domains, strings.ToLower(hello.ServerName)) {
			log.Error("luaserve: no ACME certificate", "err", err)
		}
		return c, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1", acme.ALPNProto}, GetCertificate: get}
}

// acmeChallenges answers HTTP-01 challenges with m and passes every other
// request to next.
func acmeChallenges(m *autocert.Manager, next httpcore.HandlerFunc) httpcore.HandlerFunc {
	h := m.HTTPHandler(nil)
	return func(w *httpcore.ResponseWriter, r *httpcore.Request) {
		if !strings.HasPrefix(string(r.Path), acmeChallengePath) {
			next(w, r)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), string(r.Method), "http://"+string(r.Host)+string(r.Target), nil)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		req.Host = string(r.Host) // the host policy wants the name alone (":80" is often sent)
		if h, _, err := net.SplitHostPort(req.Host); err == nil {
			req.Host = h
		}
		h.ServeHTTP(&stdWriter{w: w, h: http.Header{}}, req)
	}
}

// stdWriter lets a net/http handler (autocert's) answer through an
// httpcore.ResponseWriter.
type stdWriter struct {
	w     *httpcore.ResponseWriter
	h     http.Header
	wrote bool
}

func (s *stdWriter) Header() http.Header { return s.h }

func (s *stdWriter) WriteHeader(code int) {
	if s.wrote {
		return
	}
	s.wrote = true
	for k, vs := range s.h {
		for _, v := range vs {
			s.w.Header().Add(k, v)
		}
	}
	s.w.WriteHeader(code)
}

func (s *stdWriter) Write(p []byte) (int, error) {
	s.WriteHeader(200)
	return s.w.Write(p)
}
