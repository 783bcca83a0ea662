#!/usr/bin/env bash
# The /jwt route against the json route of bench/routes.lua, side by side
# on one server: the server pinned to CPU 1 with GOMAXPROCS=1, wrk (one
# thread, 64 connections) pinned to CPU 0, the two routes interleaved for
# ROUNDS rounds of DURATION each; prints requests/s per round, the ratio of
# the medians and the median of the rounds' ratios. Only 127.0.0.1.
#
#   go build -o /tmp/luaserve ./cmd/luaserve && bench/jwt.sh /tmp/luaserve
set -euo pipefail
bin=${1:?luaserve binary}
rounds=${ROUNDS:-5}
duration=${DURATION:-5s}
port=${PORT:-18787}
cd "$(dirname "$0")"
static=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$static"' EXIT
BENCH_STATIC_DIR=$static GOMAXPROCS=1 taskset -c 1 "$bin" -addr "127.0.0.1:$port" -db :memory: routes.lua >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/hello" >/dev/null && break; sleep 0.1; done
token=$(curl -sf "http://127.0.0.1:$port/jwt/token")
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/jwt?fields=name,email" >/dev/null
rps() { taskset -c 0 wrk -t1 -c64 -d"$duration" "$@" | awk '/Requests\/sec/ { print $2 }'; }
json=() jwt=() ratios=()
for r in $(seq "$rounds"); do
    a=$(rps "http://127.0.0.1:$port/users/42?fields=name,email")
    b=$(rps -H "Authorization: Bearer $token" "http://127.0.0.1:$port/jwt?fields=name,email")
    echo "round $r: json $a req/s, jwt $b req/s, ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
    json+=("$a") jwt+=("$b") ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mj=$(median "${json[@]}") mw=$(median "${jwt[@]}")
echo "median: json $mj req/s, jwt $mw req/s, jwt/json $(awk -v a="$mj" -v b="$mw" 'BEGIN { printf "%.2f", b / a }')," \
    "median of the rounds' ratios $(median "${ratios[@]}")"
