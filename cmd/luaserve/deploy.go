package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// deployOptions are the flags of running behind a proxy and in the open:
// trusted proxies, request ids, the PROXY protocol, TLS, the admin
// listener and compression.
type deployOptions struct {
	trusted         prefixList
	noRequestID     bool
	proxyProtocol   bool
	tlsCert, tlsKey string
	redirectAddr    string
	hsts            time.Duration
	admin           string
	noCompress      bool
	compressMin     int
	// ACME (acme.go)
	acmeDomains, acmeCache, acmeEmail, acmeDirectory string
}

func addDeployFlags(fs *flag.FlagSet, o *deployOptions) {
	fs.Var(&o.trusted, "trusted-proxies", "comma-separated CIDR prefixes or addresses of proxies whose Forwarded, "+
		"X-Forwarded-For, X-Forwarded-Proto and X-Request-Id are believed (and, with -proxy-protocol, that send a PROXY header)")
	fs.BoolVar(&o.noRequestID, "no-request-id-header", false, "do not send the request id as the X-Request-Id response "+
		"field (req.id and the logs still have it) (default off)")
	fs.BoolVar(&o.proxyProtocol, "proxy-protocol", false, "connections from -trusted-proxies begin with a PROXY protocol "+
		"v1 or v2 header (HAProxy, cloud load balancers); others are served as they are (default off)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate chain: serve HTTPS (TLS 1.2 and 1.3) with it; read again on SIGHUP "+
		"and when the file changes")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key of -tls-cert")
	fs.StringVar(&o.redirectAddr, "http-redirect-addr", "", "with TLS, also listen for plain HTTP here (:80) and redirect "+
		"every request to https (308)")
	fs.BoolVar(&o.noCompress, "no-compress", false, "do not gzip route responses (default off: text-like responses of "+
		"-compress-min bytes or more are gzipped for clients that accept it)")
	fs.IntVar(&o.compressMin, "compress-min", 1024, "smallest response body gzipped, in bytes")
	fs.StringVar(&o.admin, "admin-addr", "", "serve /healthz, /readyz and /metrics (Prometheus) on this address; "+
		"a port alone (:9090) listens on loopback only (default off: no metrics are counted)")
	fs.StringVar(&o.acmeDomains, "acme-domains", "", "comma-separated host names to get certificates for from an ACME CA "+
		"(Let's Encrypt), instead of -tls-cert; -addr must be reachable on 443 from the internet (TLS-ALPN-01), "+
		"or -http-redirect-addr on 80 (HTTP-01); by accepting, you agree to the CA's terms of service")
	fs.StringVar(&o.acmeCache, "acme-cache", "acme-cache", "folder where ACME account keys and certificates are kept "+
		"(keep it: the CA limits how often a name may be issued)")
	fs.StringVar(&o.acmeEmail, "acme-email", "", "contact address given to the ACME CA (expiry warnings)")
	fs.StringVar(&o.acmeDirectory, "acme-directory", "", "ACME directory URL (default: Let's Encrypt's production; "+
		"https://acme-staging-v02.api.letsencrypt.org/directory for trials)")
	fs.DurationVar(&o.hsts, "hsts", 0, "send Strict-Transport-Security with this max-age on https responses, e.g. 8760h "+
		"(default off: once sent, browsers refuse plain HTTP to the host until it expires)")
}

// check refuses combinations that cannot work.
func (o *deployOptions) check() error {
	switch {
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return usageError{"-tls-cert and -tls-key go together"}
	case o.proxyProtocol && len(o.trusted) == 0:
		return usageError{"-proxy-protocol reads the header only from -trusted-proxies: name them"}
	case o.acmeDomains != "" && o.tlsCert != "":
		return usageError{"-acme-domains gets certificates itself: drop -tls-cert and -tls-key"}
	case o.redirectAddr != "" && o.tlsCert == "" && o.acmeDomains == "":
		return usageError{"-http-redirect-addr redirects to HTTPS: it needs -tls-cert and -tls-key, or -acme-domains"}
	}
	for _, a := range []string{o.redirectAddr, o.admin} {
		if a == "" {
			continue
		}
		if err := checkAddr(a); err != nil {
			return err
		}
	}
	return nil
}

// start sets up what runs with the server: TLS and its certificate
// watch, the redirect listener. It returns the scheme of the main
// listener and a function that stops what it started.
func (o *deployOptions) start(ctx context.Context, srv *httpcore.Server, ln net.Listener, log *slog.Logger) (string, func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if o.hsts > 0 {
		srv.HSTS = "max-age=" + strconv.FormatInt(int64(o.hsts/time.Second), 10)
	}
	redirect := redirectHandler(ln.Addr())
	switch {
	case o.acmeDomains != "":
		m, domains := newACME(o)
		srv.TLSConfig = acmeTLSConfig(m, domains, log)
		redirect = acmeChallenges(m, redirect)
	case o.tlsCert != "":
		certs, err := newCertLoader(o.tlsCert, o.tlsKey, log)
		if err != nil {
			return "", nil, err
		}
		srv.TLSConfig = certs.config()
		stops = append(stops, certs.watch(ctx))
	default:
		return "http", stop, nil
	}
	if o.redirectAddr != "" {
		closeRedirect, err := startRedirect(o.redirectAddr, redirect, srv)
		if err != nil {
			stop()
			return "", nil, err
		}
		stops = append(stops, closeRedirect)
	}
	return "https", stop, nil
}

// startRedirect serves plain HTTP on addr with h (the redirect to https)
// under srv's limits.
func startRedirect(addr string, h httpcore.HandlerFunc, srv *httpcore.Server) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, listenError(addr, err)
	}
	rs := &httpcore.Server{Handler: h, Name: srv.Name, ReadHeaderTimeout: srv.ReadHeaderTimeout,
		IdleTimeout: srv.IdleTimeout, WriteTimeout: srv.WriteTimeout, MaxConns: srv.MaxConns, MaxBodyBytes: 1 << 20,
		ErrorLog: srv.ErrorLog, TrustedProxies: srv.TrustedProxies, RequestIDs: srv.RequestIDs, SendRequestID: srv.SendRequestID}
	srv.ErrorLog.Info("luaserve: redirecting plain HTTP to https", "addr", ln.Addr().String())
	done := make(chan struct{})
	go func() { rs.Serve(ln); close(done) }()
	return func() { rs.Close(); <-done }, nil
}

// redirectHandler answers every request with a 308 to the same host and
// target over https, on the port of the TLS listener tls.
func redirectHandler(tls net.Addr) httpcore.HandlerFunc {
	port := ""
	if ta, ok := tls.(*net.TCPAddr); ok && ta.Port != 443 {
		port = ":" + strconv.Itoa(ta.Port)
	}
	return func(w *httpcore.ResponseWriter, r *httpcore.Request) {
		host := string(r.Host)
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == "" || r.RawPath[0] != '/' {
			w.WriteHeader(400)
			w.WriteString("400 Bad Request: a Host is needed to redirect to https\n")
			return
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		loc := "https://" + host + port + string(r.RawPath)
		if r.Query != nil {
			loc += "?" + string(r.Query)
		}
		w.Header().Set("Location", loc)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(308)
		w.WriteString("308 Permanent Redirect: use https\n")
	}
}

// apply sets the server's part of the options.
func (o *deployOptions) apply(s *httpcore.Server) {
	s.TrustedProxies = o.trusted
	s.RequestIDs = true
	s.SendRequestID = !o.noRequestID
	s.ProxyProtocol = o.proxyProtocol
	if !o.noCompress {
		s.CompressMin = max(o.compressMin, 1)
	}
}

// prefixList is a flag of comma-separated CIDR prefixes; a bare address
// is a prefix of its full length.
type prefixList []netip.Prefix

func (p *prefixList) String() string {
	if p == nil {
		return ""
	}
	s := make([]string, len(*p))
	for i, v := range *p {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

func (p *prefixList) Set(v string) error {
	*p = nil
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil {
				return fmt.Errorf("%q is neither an address nor a CIDR prefix", item)
			}
			*p = append(*p, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pf, err := netip.ParsePrefix(item)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR prefix like 10.0.0.0/8", item)
		}
		*p = append(*p, pf.Masked())
	}
	return nil
}
