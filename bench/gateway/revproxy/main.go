// Command revproxy is bench/gateway.sh's Go peer: net/http's server with
// httputil.ReverseProxy in front of one upstream.
//
//	revproxy -addr 127.0.0.1:22004 -upstream http://127.0.0.1:22001
package main

import (
	"flag"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:22004", "listen address")
	upstream := flag.String("upstream", "http://127.0.0.1:22001", "upstream URL")
	flag.Parse()
	u, err := url.Parse(*upstream)
	if err != nil {
		log.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	// As many idle connections to the upstream as wrk opens to us, as
	// nginx's keepalive and luaserve's per-host pool allow.
	rp.Transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 64}
	log.Fatal(http.ListenAndServe(*addr, rp))
}
