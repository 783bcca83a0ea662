#!/usr/bin/env bash
# luaserve as a gateway, side by side with nginx proxy_pass and Go's
# httputil.ReverseProxy, all in front of the same upstream (an nginx that
# answers a 42-byte JSON body). Each gateway runs pinned to SERVER_CPU
# (GOMAXPROCS=1, nginx one worker), wrk (one thread) to CLIENT_CPU, the
# upstream to UPSTREAM_CPU. Gateways are interleaved and their order rotated
# each round; the report gives each one's median requests per second and
# its ratio to nginx.
#
#   bash bench/gateway.sh                       # 3 rounds of 5 s
#   ROUNDS=1 DURATION=3s bash bench/gateway.sh  # a quick look
#
# Knobs: ROUNDS, DURATION, CONNS (64), WORKERS (luaserve's -workers, 64),
# SERVER_CPU (1), CLIENT_CPU (0), UPSTREAM_CPU (0), PORT_BASE (22000).
# Needs: go, nginx, wrk, curl, taskset. Only 127.0.0.1 is used.
set -euo pipefail
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-64}
WORKERS=${WORKERS:-64}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
UPSTREAM_CPU=${UPSTREAM_CPU:-0}
PORT_BASE=${PORT_BASE:-22000}
for cmd in go nginx wrk curl taskset; do
    command -v "$cmd" >/dev/null || { echo "gateway.sh: $cmd is needed" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/luaserve-gateway.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

up=$((PORT_BASE + 1))
declare -A port=([luaserve]=$((PORT_BASE + 2)) [nginx]=$((PORT_BASE + 3)) [revproxy]=$((PORT_BASE + 4)))

(cd "$root" && CGO_ENABLED=0 go build -o "$work/luaserve" ./cmd/luaserve && CGO_ENABLED=0 go build -o "$work/revproxy" ./bench/gateway/revproxy)

# nginx_conf NAME SERVER_BLOCK: a one-worker nginx whose files stay in $work.
nginx_conf() {
    mkdir -p "$work/$1"
    cat >"$work/$1/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/$1/body;
    proxy_temp_path $work/$1/proxy;
    fastcgi_temp_path $work/$1/fastcgi;
    uwsgi_temp_path $work/$1/uwsgi;
    scgi_temp_path $work/$1/scgi;
    keepalive_requests 1000000;
    $2
}
CONF
}
nginx_conf upstream "server { listen 127.0.0.1:$up; location / { default_type application/json; return 200 '{\"message\":\"hello from upstream\",\"id\":42}'; } }"
nginx_conf nginx "upstream up { server 127.0.0.1:$up; keepalive 64; }
    server { listen 127.0.0.1:${port[nginx]}; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"

taskset -c "$UPSTREAM_CPU" nginx -p "$work/upstream" -c "$work/upstream/nginx.conf" 2>"$work/upstream.err" & pids+=($!)
taskset -c "$SERVER_CPU" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx.err" & pids+=($!)
UPSTREAM="http://127.0.0.1:$up" GOMAXPROCS=1 taskset -c "$SERVER_CPU" "$work/luaserve" -quiet -workers "$WORKERS" \
    -addr "127.0.0.1:${port[luaserve]}" "$root/bench/gateway/routes.lua" >"$work/luaserve.out" 2>&1 & pids+=($!)
GOMAXPROCS=1 taskset -c "$SERVER_CPU" "$work/revproxy" -addr "127.0.0.1:${port[revproxy]}" -upstream "http://127.0.0.1:$up" \
    2>"$work/revproxy.err" & pids+=($!)

# Each gateway must answer the upstream's body before it is measured.
want=$(curl -fsS --retry 50 --retry-connrefused --retry-delay 0 --max-time 1 "http://127.0.0.1:$up/" 2>/dev/null || true)
for s in luaserve nginx revproxy; do
    got=$(curl -fsS --retry 50 --retry-connrefused --retry-delay 0 --max-time 1 "http://127.0.0.1:${port[$s]}/" 2>/dev/null || true)
    if [ -z "$want" ] || [ "$got" != "$want" ]; then
        echo "gateway.sh: $s answered '$got', the upstream '$want'" >&2
        cat "$work"/*.err "$work/luaserve.out" >&2 || true
        exit 1
    fi
done

declare -A rps=()
order=(luaserve nginx revproxy)
for ((r = 0; r < ROUNDS; r++)); do
    for ((i = 0; i < 3; i++)); do
        s=${order[$(((i + r) % 3))]}
        out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:${port[$s]}/")
        n=$(awk '/^Requests\/sec/ { print int($2) }' <<<"$out")
        errs=$(awk '/Non-2xx|Socket errors/' <<<"$out")
        [ -n "$errs" ] && echo "  $s round $r: $errs" >&2
        rps[$s]="${rps[$s]:-} $n"
        echo "round $((r + 1)) $s: $n req/s" >&2
    done
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
base=$(median "${rps[nginx]}")
printf '%-10s %12s %10s   %s\n' gateway "req/s (med)" "vs nginx" "all rounds"
for s in nginx luaserve revproxy; do
    m=$(median "${rps[$s]}")
    printf '%-10s %12d %9.2fx  %s\n' "$s" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN { print a / b }')" "${rps[$s]}"
done
echo "($ROUNDS rounds of $DURATION, $CONNS connections; gateways on CPU $SERVER_CPU, wrk on $CLIENT_CPU, upstream on $UPSTREAM_CPU; luaserve -workers $WORKERS)"
