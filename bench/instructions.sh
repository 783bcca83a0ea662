#!/usr/bin/env bash
# Instructions per benchmark iteration, counted by valgrind's callgrind:
# unlike time, the count does not move with the load on this 2-core machine,
# so it can compare two versions of the hot path (A/B) while other work runs.
#
#   bench/instructions.sh ./engine BenchmarkLuaJSONPipelined
#
# It runs the benchmark at two iteration counts and divides the difference,
# so start-up (compiling the script, building Lua states) cancels out.
# Needs valgrind (apt-get install valgrind).
set -euo pipefail
pkg=${1:?package, e.g. ./engine}
bench=${2:?benchmark name}
lo=${LO:-500}
hi=${HI:-2500}
cd "$(dirname "$0")/.."
bin=$(mktemp /tmp/luaserve-bench.XXXXXX)
trap 'rm -f "$bin"' EXIT
CGO_ENABLED=0 go test -c -o "$bin" "$pkg"
count() {
    (cd "$pkg" && GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off GOMAXPROCS=1 valgrind --tool=callgrind \
        --callgrind-out-file=/dev/null "$bin" -test.run '^$' -test.bench "^$bench\$" \
        -test.benchtime "${1}x" 2>&1 | awk '/I *refs:/ { gsub(",", "", $4); print $4 }')
}
a=$(count "$lo")
b=$(count "$hi")
echo "$bench: $(( (b - a) / (hi - lo) )) instructions per iteration"
