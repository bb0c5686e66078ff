# Shared by the tests that keep the collector's state in PostgreSQL
# (sourced): a real PostgreSQL server of Debian's postgresql package,
# made by initdb into a temporary directory and run by pg_ctl as an
# unprivileged user (nobody when the test runs as root), listening only
# on a unix socket in that directory.  Peer-less "trust" authentication
# on that socket: only processes of this machine that can reach the
# directory connect.
#
# pg_start DIR: sets PG_DIR, PG_URL (the postgresql:// URL of database
# kagent) and PG_PSQL (psql on it, run as the server's user).
# pg_stop / pg_restart: pg_ctl stop -m fast / start on the same data.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PG_AS=()
[ "$(id -u)" -ne 0 ] || PG_AS=(runuser -u nobody --)

pg_ctl_start() {
	"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
		-o "-k $PG_DIR -c listen_addresses='' -c fsync=off" start > /dev/null
}

pg_start() {
	PG_DIR=$1
	mkdir -p "$PG_DIR"
	chmod 755 "$PG_DIR"
	[ "$(id -u)" -ne 0 ] || chown nobody "$PG_DIR"
	"${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U kagent -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync > "$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log"; return 1; }
	pg_ctl_start || { cat "$PG_DIR/log"; return 1; }
	"${PG_AS[@]}" "$PG_BIN/createdb" -h "$PG_DIR" -U kagent kagent || return 1
	PG_URL="postgresql://kagent@/kagent?host=$PG_DIR"
	PG_PSQL=("${PG_AS[@]}" "$PG_BIN/psql" -h "$PG_DIR" -U kagent -d kagent
		-X -q -t -A -v ON_ERROR_STOP=1)
}

pg_stop() {
	"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop > /dev/null
}

pg_restart() {
	pg_ctl_start
}
