#!/bin/bash
# Reports/s into the collector's store: SQLite with one kcollectord,
# PostgreSQL with one, and PostgreSQL with two sharing the database (half
# of the simulated agents on each, two loadgens at once).  Figures only,
# no target: the same loadgen (bench/loadgen.c) and plaintext on loopback,
# so that the store is what differs.  PostgreSQL is a real server started
# here (tests/live/lib/pg.sh: initdb and pg_ctl into a temporary
# directory, a unix socket, fsync off as in the tests; a production
# server with fsync on commits slower).
#   [AGENTS=N] [SECONDS_RUN=T] bench/collector_pg.sh [BINDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-build/bin}" && pwd)
agents=${AGENTS:-200}
seconds=${SECONDS_RUN:-10}
dir=$(mktemp -d)
chmod 755 "$dir"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "${PG_DIR:-}" ] || pg_stop 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
ulimit -n $((agents * 2 + 256))
cd "$here/../tests"
. live/lib/pg.sh
pg_start "$dir/pg" >/dev/null

ports() {
	python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'
}
# collector DB LOG: starts one, sets port (agents) and pid.
collector() {
	local hport i
	read -r port hport < <(ports)
	"$bin/kcollectord" --insecure --listen 127.0.0.1:$port \
		--http 127.0.0.1:$hport --db "$1" --user nobody \
		--max-pending 1000000 --max-pending-per-address 1000000 2>"$2" &
	pid=$!
	pids+=($pid)
	i=0
	until curl -sf "http://127.0.0.1:$hport/metrics" >/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$2"; exit 1; }
		sleep 0.05
	done
}
# loadgen PORT N FIRST PID: prints its reports/s.
loadgen() {
	"$bin/loadgen" --insecure --cluster bench --connect 127.0.0.1:$1 \
		--agents "$2" --first "$3" --seconds "$seconds" --pid "$4" |
		sed -n 's/^reports: .*: \([0-9]*\) reports\/s$/\1/p'
}
stop() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
}

echo "$agents agents, ${seconds} s each run"
collector "$dir/c.db" "$dir/sqlite.log"
echo "SQLite, one collector:        $(loadgen $port "$agents" 0 $pid) reports/s"
stop
collector "$PG_URL" "$dir/pg1.log"
echo "PostgreSQL, one collector:    $(loadgen $port "$agents" 0 $pid) reports/s"
stop
"${PG_PSQL[@]}" -c 'TRUNCATE hosts, check_state, check_history'
collector "$PG_URL" "$dir/pg2a.log"
p1=$port c1=$pid
collector "$PG_URL" "$dir/pg2b.log"
p2=$port c2=$pid
half=$((agents / 2))
loadgen $p1 $half 0 $c1 > "$dir/r1" &
lg1=$!
loadgen $p2 $((agents - half)) $half $c2 > "$dir/r2"
wait $lg1
r1=$(cat "$dir/r1") r2=$(cat "$dir/r2")
echo "PostgreSQL, two collectors:   $((r1 + r2)) reports/s ($r1 + $r2)"
stop
