#!/bin/bash
# kcollectord's SIGHUP reads its configuration file again (plaintext on
# loopback, an ACL file in insecure mode):
#  1. max_pending_per_address lowered: logged with both values, and a
#     third idle connection from one address is refused at once;
#  2. a bad value: one line at priority 3 with the file and line, the
#     running configuration kept (the limit holds), the failed reload
#     counted in /metrics;
#  3. listen changed: a warning that it needs a restart, the old port
#     still serves;
#  4. the ACL edited: `read loopback` removed, /metrics is refused;
#     restored, it is served again;
#  5. a fleet threshold: three loadgen brokers of cluster c1 (admitted
#     by the ACL) make
#     kafka.cluster.size pass at the default (3); [fleet]
#     kafka.cluster.size.fail_below = 4 makes it fail after the reload,
#     logged with both values, without a restart.
set -u
BIN=$1
T=$(mktemp -d)
PID=
HOLD=
fail=0
cleanup() {
	[ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
read -r AP HP AP2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
CONF=$T/collector.conf
# conf LISTEN PER_ADDRESS [EXTRA]
conf() {
	cat > "$CONF.new" <<EOF
[collector]
listen = 127.0.0.1:$1
http = 127.0.0.1:$HP
db = $T/c.db
insecure = yes
acl = $T/acl
max_pending_per_address = $2
${3:-}
EOF
	mv "$CONF.new" "$CONF"
}
printf 'read loopback\n' > "$T/acl"
conf "$AP" 32
chmod 644 "$CONF" "$T/acl"
ARGS=(--config "$CONF")
[ "$(id -u)" = 0 ] && ARGS+=(--user nobody)
: > "$T/log"
JS=$(stat -c '%d:%i' "$T/log")
JOURNAL_STREAM=$JS "$BIN/kcollectord" "${ARGS[@]}" 2>> "$T/log" &
PID=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$HP/metrics" && break; sleep 0.1; done
metric() { curl -sf "http://127.0.0.1:$HP/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
REFUSED='kagent_collector_refused_total{port="agents",reason="pending_per_address"}'
# reload TEXT: SIGHUP, then until the log's "reload:" lines grow by one
# and the last has TEXT.
reload() {
	local before i
	before=$(grep -c 'reload:' "$T/log")
	kill -HUP "$PID"
	for i in $(seq 100); do
		[ "$(grep -c 'reload:' "$T/log")" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 0.2
}
# hold N: N idle TCP connections to the agents' port from 127.0.0.1, kept
# open until killed.
hold() {
	rm -f "$T/held"
	python3 - "$AP" "$1" "$T/held" <<'PY' &
import socket, sys, time
s = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
# The collector has accepted or refused each once a byte it sends (none)
# or its close (a refusal) would be seen: a short read with a timeout.
for x in s:
    x.settimeout(0.5)
    try:
        x.recv(1)
    except OSError:
        pass
open(sys.argv[3], "w").close()
time.sleep(60)
PY
	HOLD=$!
	local i
	for i in $(seq 100); do [ -e "$T/held" ] && break; sleep 0.1; done
}

hold 3
check "before: 3 idle connections, none refused ($(metric "$REFUSED"))" test "$(metric "$REFUSED")" = 0
kill "$HOLD"; wait "$HOLD" 2>/dev/null; HOLD=

# 1. A limit.
conf "$AP" 2
reload
l=$(grep 'reload:' "$T/log" | tail -1)
check "the limit's change logged ($l)" test "$l" = \
	"<6>kcollectord: reload: certificates and ACL reloaded for new connections; max_pending_per_address 32 -> 2"
hold 3
check "after: the third idle connection refused ($(metric "$REFUSED"))" test "$(metric "$REFUSED")" = 1
kill "$HOLD"; wait "$HOLD" 2>/dev/null; HOLD=

# 2. A bad value.
conf "$AP" 2 "max_pending = lots"
LINE=$(grep -n '^max_pending = lots$' "$CONF" | cut -d: -f1)
reload
l=$(grep 'reload:' "$T/log" | tail -1)
check "the failure names file, line and key ($l)" test "$l" = \
	"<3>kcollectord: reload: $CONF:$LINE: 'max_pending' must be a count from 1 to 1000000, not 'lots'; the running configuration is kept"
check "reloads counted: 1 ok, 1 failed" test \
	"$(metric 'kagent_collector_reloads_total{result="ok"}') $(metric 'kagent_collector_reloads_total{result="failed"}')" = "1 1"
hold 3
check "the running limit holds ($(metric "$REFUSED"))" test "$(metric "$REFUSED")" = 2
kill "$HOLD"; wait "$HOLD" 2>/dev/null; HOLD=

# 3. A key that needs a restart.
conf "$AP2" 2
reload
l=$(grep 'reload:' "$T/log" | tail -2 | head -1)
check "listen needs a restart ($l)" test "$l" = \
	"<4>kcollectord: reload: listen changed: needs a restart (the running value is kept)"
python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()' "$AP" 2>/dev/null
check "the old agents' port still listens" test $? = 0

# 4. The ACL.
printf 'read fleet-reader\n' > "$T/acl"
reload
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/metrics")
check "without read loopback, /metrics is refused ($code)" test "$code" = 403
printf 'read loopback\n' > "$T/acl"
reload
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/metrics")
check "read loopback back, /metrics is served ($code)" test "$code" = 200
check "reloads counted: 4 ok, 1 failed" test \
	"$(metric 'kagent_collector_reloads_total{result="ok"}') $(metric 'kagent_collector_reloads_total{result="failed"}')" = "4 1"

# 5. A fleet threshold.  The collector listens on $AP (listen kept); the
# ACL lets the loadgen hosts report into c1.
printf 'read loopback\nreport loadgen-* c1\n' > "$T/acl"
reload
"$BIN/loadgen" --connect "127.0.0.1:$AP" --insecure --cluster c1 \
	--agents 3 --seconds 1 > "$T/loadgen.out" 2>&1
check "three loadgen brokers reported" test $? = 0
size() { # "severity required" of kafka.cluster.size in cluster c1
	curl -sf "http://127.0.0.1:$HP/api/fleet" | jq -r '.clusters[] |
		select(.name == "c1") | .checks[] |
		select(.id == "kafka.cluster.size") | "\(.severity) \(.required)"'
}
check "kafka.cluster.size at the default: $(size)" test "$(size)" = "pass at least 3"
conf "$AP2" 2 "[fleet]
kafka.cluster.size.fail_below = 4"
reload
l=$(grep 'reload:' "$T/log" | tail -1)
check "the threshold's change logged ($l)" test "$l" = \
	"<6>kcollectord: reload: [fleet] kafka.cluster.size.fail_below 3 -> 4"
check "kafka.cluster.size after the reload: $(size)" test "$(size)" = "fail at least 4"
conf "$AP2" 2 "[fleet]
kafka.cluster.size.fail_below = 1001"
LINE=$(grep -n '^kafka.cluster.size.fail_below = 1001$' "$CONF" | cut -d: -f1)
reload
l=$(grep 'reload:' "$T/log" | tail -1)
check "an out-of-range threshold names file and line ($l)" test "$l" = \
	"<3>kcollectord: reload: $CONF:$LINE: 'kafka.cluster.size.fail_below' must be a count of brokers from 1 to 1000, not '1001'; the running configuration is kept"
check "the running threshold holds: $(size)" test "$(size)" = "fail at least 4"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
check "kcollectord stops cleanly after the reloads: exit $rc" test "$rc" = 0
[ $fail -eq 0 ] || { echo "--- log"; cat "$T/log"; }
exit $fail
