// Command peer is the Go net/http side of bench/backends.sh: the same two
// routes as routes.lua, through the same client libraries luaserve uses
// (pgx's pool for PostgreSQL, go-redis for Redis).
//
//	GET /row/{id} -> {"id":42,"name":"user-42","email":"user-42@example.com"}
//	GET /key/{id} -> the same JSON, kept in Redis at user:{id}
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

type user struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	pgURL := flag.String("db", "", "postgres:// URL")
	redisURL := flag.String("store", "", "redis:// URL")
	conns := flag.Int("conns", 9, "pool size of each client (luaserve's: its Lua states + 1)")
	flag.Parse()
	cfg, err := pgxpool.ParseConfig(*pgURL)
	if err != nil {
		log.Fatal(err)
	}
	cfg.MaxConns = int32(*conns)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	opt, err := redis.ParseURL(*redisURL)
	if err != nil {
		log.Fatal(err)
	}
	opt.PoolSize = *conns
	rdb := redis.NewClient(opt)

	http.HandleFunc("GET /row/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad id", http.StatusBadRequest)
			return
		}
		var u user
		err = pool.QueryRow(r.Context(), "SELECT id, name, email FROM users WHERE id = $1", id).Scan(&u.ID, &u.Name, &u.Email)
		if errors.Is(err, pgx.ErrNoRows) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		b, _ := json.Marshal(u)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	http.HandleFunc("GET /key/{id}", func(w http.ResponseWriter, r *http.Request) {
		v, err := rdb.Get(r.Context(), "user:"+r.PathValue("id")).Bytes()
		if errors.Is(err, redis.Nil) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		// luaserve.store keeps a string as 's' and its bytes.
		w.Header().Set("Content-Type", "application/json")
		w.Write(v[1:])
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
