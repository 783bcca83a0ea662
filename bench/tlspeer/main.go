// Command tlspeer is Go net/http serving GET /hello over TLS, the peer of
// bench/https.sh: the same certificate and Go's TLS defaults, as luaserve
// -tls-cert serves them.
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "listen address")
	cert := flag.String("cert", "cert.pem", "PEM certificate")
	key := flag.String("key", "key.pem", "PEM key")
	flag.Parse()
	body := []byte("Hello, World!")
	http.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	srv := &http.Server{Addr: *addr}
	srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){} // HTTP/1.1 only, as luaserve
	log.Fatal(srv.ListenAndServeTLS(*cert, *key))
}
