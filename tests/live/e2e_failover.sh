#!/bin/bash
# One kagentd with two real kcollectord in its list (collector = A, B;
# plaintext on loopback).  Reports go to A, the preferred; A is killed
# (SIGKILL): the agent moves to B within a bound and `kagent status` (text
# and JSON) says why, its STATUS= line for the service manager names B;
# A restarted: the agent returns to A within failback_interval.  Then A
# stops answering (SIGSTOP): the acks stop and the agent moves to B again;
# SIGCONT, and it returns.
# Across the run, the seqs the two databases stored hold every seq from
# 1 to the agent's last acknowledged one: none lost.  A report may be
# stored by both (resent after a collector died before its ack, or was
# left for a failback): allowed, counted and printed.
#
# Each collector keeps only the latest report of a host, so the seqs a
# collector stored are read from its database and its own log: it stored
# every seq from its first (1, or the one its "first report has seq N"
# line names) to its hosts.last_seq, except the ranges its "seq gap: N
# stored after M" lines name.  A seq it received at or below what it held
# is a duplicate, never stored.
set -u
BIN=$1
T=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"
fail=0
bad() { echo "FAIL $1"; fail=1; }
ID=kafka-failover
FAILBACK=5

read -r PA HA PB HB < <(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# coll_start NAME LISTEN HTTP: kcollectord NAME with its database and log
# in $T/NAME (kept over restarts); its pid in COLL_NAME.
coll_start() {
	local args=(--insecure --listen "127.0.0.1:$2" --http "127.0.0.1:$3"
		--db "$T/$1/c.db")
	mkdir -p "$T/$1"
	chmod 755 "$T/$1"
	[ "$(id -u)" = 0 ] && args+=(--user nobody)
	"$BIN/kcollectord" "${args[@]}" 2>> "$T/$1/log" &
	eval "COLL_$1=$!"
	PIDS+=($!)
	local i
	for i in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$3/metrics" && return 0
		sleep 0.1
	done
	echo "FAIL kcollectord $1 did not answer"
	cat "$T/$1/log"
	return 1
}
st() { "$BIN/kagent" status --socket "$T/agent/kagent.sock" --json; }
# wait_for JQ_EXPR TIMEOUT_S: until the agent's status satisfies it;
# prints the seconds it took.
wait_for() {
	local i start=$(date +%s.%N)
	for i in $(seq $(($2 * 10))); do
		if st 2>/dev/null | jq -e "$1" > /dev/null 2>&1; then
			python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
				"$start" "$(date +%s.%N)"
			return 0
		fi
		sleep 0.1
	done
	echo "timeout"
	return 1
}

coll_start A "$PA" "$HA" || exit 1
coll_start B "$PB" "$HB" || exit 1
mkdir -p "$T/agent/spool"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/agent"
cat > "$T/agent/kagent.conf" <<CONF
[host]
roles = kafka
cluster = kafka2
rack = r1
[agent]
collector = 127.0.0.1:$PA, 127.0.0.1:$PB
failback_interval = $FAILBACK
insecure = yes
interval = 1
health_interval = 1
spool = $T/agent/spool
socket = $T/agent/kagent.sock
host_id = $ID
root = $PWD/fixtures/e2e-kafka-3.6.1
user = nobody
CONF
# The service manager's end of $NOTIFY_SOCKET: STATUS= names the
# collector in use (a watchdog period of 1 s makes it every 0.5 s).
python3 - "$T/notify" "$T/notified" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
with open(sys.argv[2], "w", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode("utf-8", "replace").replace("\n", "|") + "\n")
PY
PIDS+=($!)
for _ in $(seq 50); do [ -S "$T/notify" ] && break; sleep 0.1; done
# status_has TEXT: a STATUS= line sent since the last call names TEXT.
NOTIFIED=0
status_has() {
	local n i
	for i in $(seq 20); do
		n=$(wc -l < "$T/notified")
		if tail -n +$((NOTIFIED + 1)) "$T/notified" | grep '^STATUS=' | grep -qF "$1"; then
			NOTIFIED=$n
			return 0
		fi
		sleep 0.1
	done
	return 1
}
NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=1000000 \
	"$BIN/kagentd" --config "$T/agent/kagent.conf" 2>> "$T/agent/log" &
AGENT=$!
PIDS+=($AGENT)

# 1. Reports go to A, the preferred.
wait_for '.last_acked_seq >= 3' 30 > /dev/null || bad "no report acknowledged within 30 s"
S=$(st)
echo "on A: $(echo "$S" | jq -c '{collector, collector_position, collector_why, collector_reason, last_acked_seq}')"
echo "$S" | jq -e --arg a "127.0.0.1:$PA" '.collector == $a and .collector_position == 1 and
	.collector_why == "preferred" and .collector_reason == "preferred" and
	(.collectors | length) == 2 and .collectors[0].in_use and (.collectors[1].in_use | not)' > /dev/null ||
	bad "status on A: preferred, position 1 of 2"
status_has "; collector 127.0.0.1:$PA (1 of 2) connected, acked seq" ||
	bad "STATUS= names A, 1 of 2"
A_SEQ=$(curl -sf "http://127.0.0.1:$HA/api/hosts/$ID" | jq -r .seq)
echo "A holds seq $A_SEQ of $ID"
[ "${A_SEQ:-0}" -ge 3 ] || bad "A holds seq $A_SEQ, want >= 3"

# 2. A dies: the agent moves to B within a bound.
kill -KILL "$COLL_A"
wait "$COLL_A" 2>/dev/null
KILLED_ACKED=$(st | jq .last_acked_seq)
T_OVER=$(wait_for '.collector_position == 2 and .connection == "connected"' 30) ||
	bad "not connected to B within 30 s of A's SIGKILL"
echo "fail-over to B: ${T_OVER}s after SIGKILL of A (bound 30 s)"
wait_for ".last_acked_seq >= $((KILLED_ACKED + 3))" 30 > /dev/null || bad "reports not acknowledged by B"
S=$(st)
echo "on B: $(echo "$S" | jq -c '{collector, collector_position, collector_why, collector_reason, collectors}')"
echo "$S" | jq -e --arg a "127.0.0.1:$PA" --arg b "127.0.0.1:$PB" '.collector == $b and
	.collector_position == 2 and .collector_why == "fail-over" and
	(.collector_reason | startswith("fail-over: " + $a + " failed ")) and
	.collectors[1].in_use and (.collectors[0].last_error | type) == "string" and
	.collectors[0].failures >= 1' > /dev/null || bad "status on B: fail-over from A, A's error"
status_has "; collector 127.0.0.1:$PB (2 of 2) connected, acked seq" ||
	bad "STATUS= names B, 2 of 2"
grep '^STATUS=' "$T/notified" | tail -1
TXT=$("$BIN/kagent" status --socket "$T/agent/kagent.sock")
echo "$TXT" | grep -E '^(collector|in use|              )'
echo "$TXT" | grep -qE "^in use           2 of 2: fail-over: 127\.0\.0\.1:$PA failed [0-9]+ s ago: .+" ||
	bad "text status: in use line"
echo "$TXT" | grep -qE "^collectors       1 127\.0\.0\.1:$PA: [0-9]+ failure\(s\), last [0-9]+ s ago: .+" ||
	bad "text status: A's line"
echo "$TXT" | grep -qxF "                 2 127.0.0.1:$PB (in use): no failure" ||
	bad "text status: B's line"

# 3. While A is down, the probes of A fail and the agent stays on B.
sleep $((FAILBACK * 2 + 1))
S=$(st)
echo "A still down: $(echo "$S" | jq -c '{collector_position, connection, collector_reason, a_failures: .collectors[0].failures}')"
echo "$S" | jq -e '.collectors[0].failures >= 2' > /dev/null || bad "no failback probe of A while it was down"
grep -c "failback: trying 127.0.0.1:$PA, the preferred, again" "$T/agent/log" | sed 's/^/failback probes so far: /'

# 4. A is back: the agent returns within failback_interval (and a probe's
# own hello timeout as slack).
coll_start A "$PA" "$HA" || exit 1
T_BACK=$(wait_for '.collector_position == 1 and .connection == "connected"' $((FAILBACK + 15))) ||
	bad "not back on A within $((FAILBACK + 15)) s of its restart"
echo "failback to A: ${T_BACK}s after its restart (failback_interval $FAILBACK s)"
BACK_ACKED=$(st | jq .last_acked_seq)
wait_for ".last_acked_seq >= $((BACK_ACKED + 3))" 30 > /dev/null || bad "reports not acknowledged by A again"
S=$(st)
echo "back on A: $(echo "$S" | jq -c '{collector, collector_position, collector_why, collector_reason}')"
echo "$S" | jq -e --arg b "127.0.0.1:$PB" '.collector_position == 1 and .collector_why == "failback" and
	(.collector_reason | startswith("preferred, back from " + $b + " "))' > /dev/null ||
	bad "status back on A: failback from B"
status_has "; collector 127.0.0.1:$PA (1 of 2) connected, acked seq" ||
	bad "STATUS= names A again"

# 5. A stops answering without closing (SIGSTOP: its kernel still
# accepts and buffers): the acks stop, the 20 s ack timeout moves the
# agent to B; A running again, the agent returns.
kill -STOP "$COLL_A"
T_STALL=$(wait_for '.collector_position == 2 and .connection == "connected"' 60) ||
	bad "not on B within 60 s of A's SIGSTOP"
echo "fail-over to B: ${T_STALL}s after SIGSTOP of A (ack timeout 20 s, bound 60 s)"
S=$(st)
echo "on B: $(echo "$S" | jq -c '{collector_reason, a_error: .collectors[0].last_error}')"
# The switch itself is logged with its cause.  The status names the
# fail-over from A; by the time it is read, a failback probe of the
# still-stopped A (every failback_interval) may have failed again and
# become the newer cause, so it need not be the missing ack any more.
grep -Eq "collector 127\.0\.0\.1:$PA: [a-z-]+: no ack within 20 s, [0-9]+ report\(s\) in flight from seq [0-9]+$" "$T/agent/log" ||
	bad "the log names A's missing ack"
echo "$S" | jq -e --arg a "127.0.0.1:$PA" '(.collector_reason | test("^fail-over: " + $a +
	" failed [0-9]+ s ago: .+$"))' > /dev/null ||
	bad "status on B names the fail-over from A"
kill -CONT "$COLL_A"
T_BACK2=$(wait_for '.collector_position == 1 and .connection == "connected"' $((FAILBACK + 25))) ||
	bad "not back on A within $((FAILBACK + 25)) s of its SIGCONT"
echo "failback to A: ${T_BACK2}s after its SIGCONT (a probe sent while it was stopped waits up to 10 s)"
BACK_ACKED=$(st | jq .last_acked_seq)
wait_for ".last_acked_seq >= $((BACK_ACKED + 2))" 30 > /dev/null || bad "reports not acknowledged by A after SIGCONT"

# 6. No seq lost: stop the agent, then the collectors (their last
# transaction committed), and read what each stored.
N=$(st | jq .last_acked_seq)
kill -TERM "$AGENT"
wait "$AGENT" 2>/dev/null
kill -TERM "$COLL_A" "$COLL_B"
wait "$COLL_A" "$COLL_B" 2>/dev/null
LA=$(sqlite3 "$T/A/c.db" "SELECT last_seq FROM hosts WHERE host_id = '$ID'")
LB=$(sqlite3 "$T/B/c.db" "SELECT last_seq FROM hosts WHERE host_id = '$ID'")
echo "agent acked up to $N; A's database last_seq $LA, B's $LB"
python3 - "$N" "$ID" "$LA" "$T/A/log" "$LB" "$T/B/log" <<'PY' || fail=1
import re, sys
n, host = int(sys.argv[1]), sys.argv[2]
def stored(last, log):
    text = open(log).read()
    m = re.search(r"host %s: first report has seq (\d+)$" % re.escape(host), text, re.M)
    s = set(range(int(m.group(1)) if m else 1, int(last) + 1))
    for hi, lo in re.findall(r"host %s: seq gap: (\d+) stored after (\d+)$" % re.escape(host), text, re.M):
        s -= set(range(int(lo) + 1, int(hi)))
    return s
a, b = stored(sys.argv[3], sys.argv[4]), stored(sys.argv[5], sys.argv[6])
missing = sorted(set(range(1, n + 1)) - a - b)
both = sorted(a & b)
print("A stored %d seqs (%s..%s), B stored %d (%s..%s), both %d: %s" % (
    len(a), min(a), max(a), len(b), min(b), max(b), len(both), both))
print("missing from 1..%d: %s" % (n, missing))
ok = not missing and len(a) > 0 and len(b) > 0
print(("ok   " if ok else "FAIL ") + "every seq 1..%d stored by A or B" % n)
sys.exit(0 if ok else 1)
PY
[ $fail -eq 0 ] || { echo "--- agent log"; cat "$T/agent/log"; echo "--- A log"; cat "$T/A/log"; echo "--- B log"; cat "$T/B/log"; }
exit $fail
