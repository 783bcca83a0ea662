#!/usr/bin/env bash
# luaserve against Go net/http reading one row by primary key from
# PostgreSQL (GET /row/42) and one key from Redis (GET /key/42), through the
# same client libraries (pgx, go-redis) and pools of the same size. Each
# server runs pinned to SERVER_CPU (GOMAXPROCS=1); wrk (one thread),
# PostgreSQL and Redis share CLIENT_CPU. Servers are interleaved and their
# order rotated each round; the report gives the medians and luaserve's
# ratio to net/http.
#
#   bash bench/backends.sh                       # 3 rounds of 5 s
#   ROUNDS=1 DURATION=3s bash bench/backends.sh  # a quick look
#
# Knobs: ROUNDS, DURATION, CONNS (64), WORKERS (luaserve's -workers, 8),
# SERVER_CPU (1), CLIENT_CPU (0), PORT_BASE (23000). luaserve's pools hold
# WORKERS+1 connections, the spare for migrations and readiness checks, so
# at most WORKERS queries are in flight; the peer's pools hold WORKERS.
# Needs: go, wrk, curl, taskset, psql, redis-cli, and the servers that
# .ci/services.sh installs and starts. Only 127.0.0.1 is used.
set -euo pipefail
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-64}
WORKERS=${WORKERS:-8}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
PORT_BASE=${PORT_BASE:-23000}
for cmd in go wrk curl taskset psql redis-cli; do
    command -v "$cmd" >/dev/null || { echo "backends.sh: $cmd is needed" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/luaserve-backends.XXXXXX)
pids=()
source "$root/.ci/services.sh"
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    services_stop
    rm -rf "$work"
}
trap cleanup EXIT
services_start >&2
# The backends share the load generator's core, not the servers'.
taskset -a -p -c "$CLIENT_CPU" "$(cat "$services_dir/redis.pid")" >/dev/null
taskset -a -p -c "$CLIENT_CPU" "$(head -1 "$services_dir/pg/postmaster.pid")" >/dev/null

psql -q "$LUASERVE_POSTGRES_URL" -c "CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
    INSERT INTO users SELECT i, 'user-' || i, 'user-' || i || '@example.com' FROM generate_series(1, 1000) i"
for i in $(seq 1000); do
    printf 'SET user:%d "s{\\"id\\":%d,\\"name\\":\\"user-%d\\",\\"email\\":\\"user-%d@example.com\\"}"\n' "$i" "$i" "$i" "$i"
done | redis-cli -u "$LUASERVE_REDIS_URL" >/dev/null

(cd "$root" && CGO_ENABLED=0 go build -o "$work/luaserve" ./cmd/luaserve && CGO_ENABLED=0 go build -o "$work/peer" ./bench/backends/peer)
declare -A port=([luaserve]=$((PORT_BASE + 1)) [nethttp]=$((PORT_BASE + 2)))
GOMAXPROCS=1 taskset -c "$SERVER_CPU" "$work/luaserve" -quiet -workers "$WORKERS" -addr "127.0.0.1:${port[luaserve]}" \
    -db "$LUASERVE_POSTGRES_URL" -store "$LUASERVE_REDIS_URL" "$root/bench/backends/routes.lua" >"$work/luaserve.out" 2>&1 & pids+=($!)
GOMAXPROCS=1 taskset -c "$SERVER_CPU" "$work/peer" -addr "127.0.0.1:${port[nethttp]}" -conns "$WORKERS" \
    -db "$LUASERVE_POSTGRES_URL" -store "$LUASERVE_REDIS_URL" 2>"$work/peer.err" & pids+=($!)

want='{"id":42,"name":"user-42","email":"user-42@example.com"}'
for s in luaserve nethttp; do
    for path in row key; do
        got=$(curl -fsS --retry 50 --retry-connrefused --retry-delay 0 --max-time 1 "http://127.0.0.1:${port[$s]}/$path/42" 2>/dev/null || true)
        if [ "$got" != "$want" ]; then
            echo "backends.sh: $s /$path/42 answered '$got', want '$want'" >&2
            cat "$work/luaserve.out" "$work/peer.err" >&2 || true
            exit 1
        fi
    done
done

declare -A rps=()
order=(luaserve nethttp)
for ((r = 0; r < ROUNDS; r++)); do
    for path in row key; do
        for ((i = 0; i < 2; i++)); do
            s=${order[$(((i + r) % 2))]}
            out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:${port[$s]}/$path/42")
            n=$(awk '/^Requests\/sec/ { print int($2) }' <<<"$out")
            errs=$(awk '/Non-2xx|Socket errors/' <<<"$out")
            [ -n "$errs" ] && echo "  $s /$path round $r: $errs" >&2
            rps[$s.$path]="${rps[$s.$path]:-} $n"
            echo "round $((r + 1)) $s /$path: $n req/s" >&2
        done
    done
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '%-8s %14s %14s %10s\n' route "luaserve req/s" "net/http req/s" "ratio"
for path in row key; do
    l=$(median "${rps[luaserve.$path]}")
    g=$(median "${rps[nethttp.$path]}")
    printf '%-8s %14d %14d %9.2fx   (luaserve:%s; net/http:%s)\n' "/$path" "$l" "$g" \
        "$(awk -v a="$l" -v b="$g" 'BEGIN { print a / b }')" "${rps[luaserve.$path]}" "${rps[nethttp.$path]}"
done
echo "($ROUNDS rounds of $DURATION, $CONNS connections; servers on CPU $SERVER_CPU, wrk + PostgreSQL + Redis on $CLIENT_CPU; at most $WORKERS queries in flight on each)"
