# Source this file: pg_start starts a throwaway PostgreSQL on 127.0.0.1 and exports
# TEST_POSTGRES_URL; pg_stop stops it and removes its data. Works as root (runuser postgres).
pg_start() {
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PGDATA=$(mktemp -d /tmp/pgdata.XXXXXX)
    chown postgres: "$PGDATA"
    PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
        -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off" start >/dev/null
    export PGDATA PGBIN PGPORT
    export TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
    echo "PostgreSQL on 127.0.0.1:$PGPORT ($PGDATA)"
}

pg_stop() {
    if [ -n "${PGDATA:-}" ] && [ -d "$PGDATA" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PGDATA"
    fi
}
