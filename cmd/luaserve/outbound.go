package main

import (
	"flag"
	"strings"
	"time"

	"github.com/luaserve/luaserve/outbound"
)

// httpOptions are the flags of luaserve.http's client.
type httpOptions struct {
	allow        string
	caFile       string
	timeout      time.Duration
	maxBody      byteSize
	perHost      int
	maxRedirects int
}

func addHTTPFlags(fs *flag.FlagSet, o *httpOptions) {
	o.maxBody = outbound.DefaultMaxBody
	fs.StringVar(&o.allow, "http-allow", "", "hosts luaserve.http may call, comma-separated: name, name:port, *.domain, "+
		"IP address or CIDR prefix (default: any host)")
	fs.StringVar(&o.caFile, "http-ca", "", "PEM file of extra certificate authorities luaserve.http trusts besides the system's "+
		"(a private CA, or a self-signed server's certificate)")
	fs.DurationVar(&o.timeout, "http-timeout", outbound.DefaultTimeout, "luaserve.http's default time for a whole call "+
		"(never past the request's own time limit)")
	fs.Var(&o.maxBody, "http-max-body", "luaserve.http's default limit on a response body")
	fs.IntVar(&o.perHost, "http-per-host", outbound.DefaultPerHost, "luaserve.http calls in flight to one host; past it a call "+
		"fails at once (negative: no limit)")
	fs.IntVar(&o.maxRedirects, "http-max-redirects", outbound.DefaultMaxRedirects, "redirects luaserve.http follows (negative: none)")
}

// client makes the one outbound client every engine of the process shares.
func (o *httpOptions) client() (*outbound.Client, error) {
	var allow []string
	for _, a := range strings.Split(o.allow, ",") {
		if a = strings.TrimSpace(a); a != "" {
			allow = append(allow, a)
		}
	}
	return outbound.New(outbound.Config{Allow: allow, CAFile: o.caFile, Timeout: o.timeout,
		MaxBody: int64(o.maxBody), PerHost: o.perHost, MaxRedirects: o.maxRedirects})
}
