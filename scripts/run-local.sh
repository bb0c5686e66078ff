#!/bin/bash
# `make run`: a kcollectord and a kagentd for this machine on loopback, in
# a temporary directory; waits for the first acknowledged report, prints
# `kagent status` and `kagent fleet`, stops both.  Usage: run-local.sh BINDIR
set -eu
BIN=${1:-build/bin}
T=$(mktemp -d)
COLL=
AGENT=
stop() {
	[ -n "$AGENT" ] && kill -TERM "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	[ -n "$COLL" ] && kill -TERM "$COLL" 2>/dev/null && wait "$COLL" 2>/dev/null
	rm -rf "$T"
}
trap stop EXIT
# Two free loopback ports, bound and released.
read -r LP HP < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
mkdir "$T/spool"
cat > "$T/kagent.conf" <<CONF
[agent]
collector = 127.0.0.1:$LP
interval = 5
spool = $T/spool
socket = $T/kagent.sock
CONF
"$BIN/kcollectord" --listen "127.0.0.1:$LP" --http "127.0.0.1:$HP" \
	--db "$T/collector.db" 2> "$T/collector.log" &
COLL=$!
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/kagentd.log" &
AGENT=$!
for _ in $(seq 300); do
	acked=$("$BIN/kagent" status --socket "$T/kagent.sock" --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["last_acked_seq"])' \
		2>/dev/null || echo 0)
	[ "$acked" -ge 1 ] && break
	sleep 0.1
done
if [ "$acked" -lt 1 ]; then
	echo "run-local: no report acknowledged within 30 s" >&2
	cat "$T/collector.log" "$T/kagentd.log" >&2
	exit 1
fi
echo "\$ kagent status"
"$BIN/kagent" status --socket "$T/kagent.sock"
echo
echo "\$ kagent fleet --collector http://127.0.0.1:$HP"
"$BIN/kagent" fleet --collector "http://127.0.0.1:$HP"
