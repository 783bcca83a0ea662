#!/usr/bin/env bash
# HTTPS "Hello, World!" side by side: luaserve -tls-cert (the Lua hello
# route of bench/routes.lua), Go net/http with TLS (bench/tlspeer) and nginx
# (one worker, return 200), all with the same P-256 certificate, each
# pinned to CPU 1 (GOMAXPROCS=1), wrk on CPU 0. Two loads: keep-alive
# (16 connections) and a new connection, hence a full handshake, per
# request (Connection: close). Interleaved over ROUNDS rounds of SECS
# seconds; prints requests per second per round.
#
#   bench/https.sh            # needs wrk, nginx, openssl
set -euo pipefail
rounds=${ROUNDS:-3}
secs=${SECS:-5}
cd "$(dirname "$0")/.."
routes="$PWD/bench/routes.lua"
tmp=$(mktemp -d /tmp/luaserve-https.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/key.pem" \
    -out "$tmp/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
go build -o "$tmp/luaserve" ./cmd/luaserve
go build -o "$tmp/tlspeer" ./bench/tlspeer
mkdir -p "$tmp/static" "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18447 ssl;
    ssl_certificate $tmp/cert.pem;
    ssl_certificate_key $tmp/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    location = /hello { default_type text/plain; return 200 "Hello, World!"; }
  }
}
EOF
# exec: the background job's PID is luaserve's own, which cleanup kills
# (a subshell left in between kept luaserve running after the script).
(cd "$tmp" && BENCH_STATIC_DIR="$tmp/static" GOMAXPROCS=1 exec taskset -c 1 ./luaserve -quiet -addr 127.0.0.1:18445 \
    -tls-cert cert.pem -tls-key key.pem "$routes" >/dev/null 2>&1) &
pids+=($!)
GOMAXPROCS=1 taskset -c 1 "$tmp/tlspeer" -addr 127.0.0.1:18446 -cert "$tmp/cert.pem" -key "$tmp/key.pem" &
pids+=($!)
taskset -c 1 nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' -p "$tmp/nginx" 2>/dev/null &
pids+=($!)
sleep 1
for name in luaserve:18445 nethttp:18446 nginx:18447; do
    curl -ksf "https://127.0.0.1:${name#*:}/hello" >/dev/null || { echo "FAIL: ${name%%:*} does not answer"; exit 1; }
done
for r in $(seq "$rounds"); do
    for name in luaserve:18445 nethttp:18446 nginx:18447; do
        url="https://127.0.0.1:${name#*:}/hello"
        ka=$(taskset -c 0 wrk -t1 -c16 -d"${secs}s" "$url" | awk '/Requests\/sec/ {print $2}')
        nc=$(taskset -c 0 wrk -t1 -c16 -d"${secs}s" -H 'Connection: close' "$url" | awk '/Requests\/sec/ {print $2}')
        echo "round $r ${name%%:*} keep-alive $ka new-connection $nc"
    done
done
