// Command hello is a Go-native handler on httpcore, without Lua, for the
// side-by-side benchmark in ../shared/bench: it measures the core alone.
//
//	go build -o /tmp/hello ./bench/hello
//	LUASERVE_CMD='/tmp/hello -addr {addr}' bash ../shared/bench/run.sh
//
// It answers GET /hello with "Hello, World!" and, for the json scenario,
// GET /users/:id with the same JSON the peers send.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"log"
	"net/url"

	"github.com/luaserve/luaserve/httpcore"
)

var (
	helloBody   = []byte("Hello, World!")
	usersPrefix = []byte("/users/")
)

type user struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Fields string `json:"fields"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	srv := &httpcore.Server{Handler: httpcore.HandlerFunc(serve)}
	log.Fatal(srv.ListenAndServe(*addr))
}

func serve(w *httpcore.ResponseWriter, r *httpcore.Request) {
	switch {
	case string(r.Path) == "/hello":
		w.Header().Set("Content-Type", "text/plain")
		w.Write(helloBody)
	case bytes.HasPrefix(r.Path, usersPrefix):
		id := string(r.Path[len(usersPrefix):])
		q, _ := url.ParseQuery(string(r.Query))
		body, _ := json.Marshal(&user{ID: id, Name: "user-" + id, Fields: q.Get("fields")})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	default:
		w.WriteHeader(404)
		w.Write([]byte("not found\n"))
	}
}
