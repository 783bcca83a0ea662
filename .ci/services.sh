# Scratch Redis and PostgreSQL servers for the tests, on loopback, on free
# ports, with their data in a temporary folder, stopped by services_stop.
# Sourced by .ci/run; a developer can use it too:
#
#   source .ci/services.sh && services_start && go test ./... ; services_stop
#
# It exports LUASERVE_REDIS_URL, LUASERVE_TEST_REDIS(_E2E) and
# LUASERVE_POSTGRES_URL, which the tests read. PostgreSQL refuses to run as root, so under root its server runs as
# the unprivileged "postgres" user that its package creates.

services_dir=""

# free_port prints a TCP port nothing listens on at 127.0.0.1.
free_port() {
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

# pg_bin finds PostgreSQL's server programs, which Debian keeps off PATH.
pg_bin() {
    if command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

services_install() {
    local need=()
    command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
    [ -n "$(pg_bin)" ] || need+=(postgresql)
    if [ ${#need[@]} -gt 0 ]; then
        echo "installing ${need[*]} for the Redis and PostgreSQL tests"
        (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}") >/dev/null
    fi
}

services_start() {
    services_install
    services_dir=$(mktemp -d /tmp/luaserve-services.XXXXXX)
    chmod 755 "$services_dir"

    local rport
    rport=$(free_port)
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --dir "$services_dir" --pidfile "$services_dir/redis.pid" --logfile "$services_dir/redis.log"
    for _ in $(seq 100); do redis-cli -h 127.0.0.1 -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export LUASERVE_REDIS_URL="redis://127.0.0.1:$rport/0"
    # The store package's tests and the end-to-end ones empty databases of
    # their own.
    export LUASERVE_TEST_REDIS="redis://127.0.0.1:$rport/14"
    export LUASERVE_TEST_REDIS_E2E="redis://127.0.0.1:$rport/15"

    local bin pport data run=()
    bin=$(pg_bin)
    pport=$(free_port)
    data="$services_dir/pg"
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$data"
        run=(runuser -u postgres --)
    fi
    "${run[@]}" "$bin/initdb" -D "$data" -U luaserve --auth=trust -E UTF8 --no-sync >"$services_dir/initdb.log"
    "${run[@]}" "$bin/pg_ctl" -D "$data" -w -l "$data/server.log" \
        -o "-p $pport -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    export LUASERVE_POSTGRES_URL="postgres://luaserve@127.0.0.1:$pport/postgres?sslmode=disable"
    # The fault tests restart the servers they are given.
    export LUASERVE_PG_CTL="${run[*]} $bin/pg_ctl -D $data"
    echo "Redis on $LUASERVE_REDIS_URL, PostgreSQL on $LUASERVE_POSTGRES_URL"
}

services_stop() {
    [ -n "$services_dir" ] || return 0
    if [ -f "$services_dir/redis.pid" ]; then
        kill "$(cat "$services_dir/redis.pid")" 2>/dev/null || true
    fi
    if [ -f "$services_dir/pg/postmaster.pid" ]; then
        local run=()
        [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
        "${run[@]}" "$(pg_bin)/pg_ctl" -D "$services_dir/pg" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$services_dir"
    services_dir=""
}
