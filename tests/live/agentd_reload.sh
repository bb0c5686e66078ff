#!/bin/bash
# kagentd's SIGHUP reads the whole kagent.conf again, with two real
# kcollectord (plaintext on loopback) and the service manager's end of
# $NOTIFY_SOCKET (lib/notify_listener.py):
#  1. rack and a threshold changed: RELOADING=1 with MONOTONIC_USEC, then
#     READY=1; the next report at the collector carries the new rack and
#     kafka.cpu.cores judged on the new threshold;
#  2. a bad value: the running configuration is kept, one line at
#     priority 3 names the file and the line, READY=1 with a STATUS= that
#     says so, `kagent status` warns, and the agent keeps reporting;
#  3. a key that needs a restart (spool): a warning names it, the running
#     spool is kept, `kagent status` says "restart needed";
#  4. the collector list changed to the second collector: the agent
#     drains the first and moves; every seq from 1 to the last acked is
#     stored by exactly one of the two (none lost, none stored twice);
#  5. a reload while a job is in flight takes effect once it ends.
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
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
ID=kafka-reload
CONF=$T/agent/kagent.conf

read -r PA HA PB HB < <(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# coll_start NAME LISTEN HTTP
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
	return 1
}
st() { "$BIN/kagent" status --socket "$T/agent/kagent.sock" --json; }
# wait_for JQ_EXPR TIMEOUT_S: until the agent's status satisfies it.
wait_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		st 2>/dev/null | jq -e "$1" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# host_at HTTP_PORT: the collector's view of the host.
host_at() { curl -sf "http://127.0.0.1:$1/api/hosts/$ID"; }
# wait_seq HTTP_PORT MIN: until that collector holds a report seq >= MIN.
wait_seq() {
	local i n
	for i in $(seq 300); do
		n=$(host_at "$1" | jq -r '.seq // 0' 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_log TEXT: until the agent's log has a line with TEXT.
wait_log() {
	local i
	for i in $(seq 200); do
		grep -qF "$1" "$T/agent/log" && return 0
		sleep 0.1
	done
	return 1
}
# conf COLLECTORS RACK CORES_WARN SPOOL_DIR [EXTRA_AGENT_LINE]
conf() {
	cat > "$CONF.new" <<EOF
[host]
roles = kafka
cluster = kafka2
rack = $2
[kafka]
kafka.cpu.cores.warn_below = $3
[agent]
collector = $1
insecure = yes
interval = 1
health_interval = 1
spool = $4
socket = $T/agent/kagent.sock
host_id = $ID
root = $PWD/fixtures/e2e-kafka-3.6.1
user = nobody
prober_timeout = 3
${5:-}
EOF
	mv "$CONF.new" "$CONF"
}

coll_start A "$PA" "$HA" || exit 1
coll_start B "$PB" "$HB" || exit 1
mkdir -p "$T/agent/spool" "$T/agent/spool2"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/agent" "$T/agent/spool2"
conf "127.0.0.1:$PA" r1 8 "$T/agent/spool"
python3 live/lib/notify_listener.py "$T/notify" "$T/got" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$T/notify" ] && break; sleep 0.1; done
: > "$T/agent/log"
JS=$(stat -c '%d:%i' "$T/agent/log")
NOTIFY_SOCKET=$T/notify JOURNAL_STREAM=$JS \
	"$BIN/kagentd" --config "$CONF" 2>> "$T/agent/log" &
AGENT=$!
PIDS+=($AGENT)

wait_seq "$HA" 2 || { echo "FAIL no report at A"; cat "$T/agent/log"; exit 1; }
H=$(host_at "$HA")
cores() { jq -c '[.checks[] | select(.id == "kafka.cpu.cores") | {severity, required}]'; }
check "before: rack r1 ($(echo "$H" | jq -r .rack))" test "$(echo "$H" | jq -r .rack)" = r1
check "before: kafka.cpu.cores warns below 8 ($(echo "$H" | cores))" \
	test "$(echo "$H" | cores)" = '[{"severity":"warn","required":">= 8 cores"}]'

# 1. Rack and threshold.
conf "127.0.0.1:$PA" r2 2 "$T/agent/spool"
kill -HUP "$AGENT"
wait_log "reload: $CONF in effect"
l=$(grep -F "reload: $CONF in effect" "$T/agent/log")
check "the reload logged at priority 6 ($l)" test "$l" = \
	"<6>kagentd: reload: $CONF in effect: roles kafka, cluster kafka2, rack r2, collector 127.0.0.1:$PA, interval 1 s"
R=$(grep -n $'\tRELOADING=1' "$T/got" | head -1)
check "RELOADING=1 with MONOTONIC_USEC ($R)" \
	grep -qE $'\tRELOADING=1\\|MONOTONIC_USEC=[0-9]+$' "$T/got"
RL=$(grep -n $'\tRELOADING=1' "$T/got" | head -1 | cut -d: -f1)
RD=$(tail -n +"${RL:-1}" "$T/got" | grep -n $'\tREADY=1$' | head -1 | cut -d: -f1)
check "READY=1 after RELOADING=1" test -n "$RD"
N=$(host_at "$HA" | jq .seq)
wait_seq "$HA" $((N + 2)) || check "reports after the reload" false
H=$(host_at "$HA")
check "after: rack r2 at the collector ($(echo "$H" | jq -r .rack))" test "$(echo "$H" | jq -r .rack)" = r2
check "after: kafka.cpu.cores judged on 2 ($(echo "$H" | cores))" \
	test "$(echo "$H" | cores)" = '[{"severity":"pass","required":">= 2 cores"}]'

# 2. A bad value: kept, logged with file and line, reporting goes on.
conf "127.0.0.1:$PA" r3 2 "$T/agent/spool" "interval = soon"
LINE=$(grep -n '^interval = soon$' "$CONF" | cut -d: -f1)
: > "$T/got.mark"
kill -HUP "$AGENT"
wait_log "the running configuration is kept"
l=$(grep -F "the running configuration is kept" "$T/agent/log")
echo "logged: $l"
check "the failure names file and line, priority 3" \
	grep -qE "^<3>kagentd: reload: $CONF:$LINE: .*interval.*soon.*; the running configuration is kept$" "$T/agent/log"
check "one line for it" test "$(grep -c 'the running configuration is kept' "$T/agent/log")" = 1
sleep 0.5
check "READY=1 with STATUS= saying the reload failed" \
	grep -qE $'\tREADY=1\\|STATUS=reload failed: '"$CONF:$LINE: " "$T/got"
S=$(st)
check "kagent status --json: reload.error names the line" \
	test "$(echo "$S" | jq -r '.reload.error' | cut -d: -f1-2)" = "$CONF:$LINE"
check "kagent status --json: reload.failures 1, reloads 1" \
	test "$(echo "$S" | jq -c '[.reload.failures, .reload.reloads]')" = "[1,1]"
TXT=$("$BIN/kagent" status --socket "$T/agent/kagent.sock")
echo "$TXT" | grep '^WARNING'
check "kagent status: WARNING reload failed" \
	grep -qE "^WARNING +reload failed: $CONF:$LINE: .*; the configuration loaded before is in use$" <<< "$TXT"
N=$(host_at "$HA" | jq .seq)
wait_seq "$HA" $((N + 2)) || check "reports after the failed reload" false
check "still reporting with the old rack ($(host_at "$HA" | jq -r .rack))" \
	test "$(host_at "$HA" | jq -r .rack)" = r2

# 3. A key that needs a restart.
conf "127.0.0.1:$PA" r2 2 "$T/agent/spool2"
kill -HUP "$AGENT"
wait_log "needs a restart"
l=$(grep -F "needs a restart" "$T/agent/log")
check "the warning names the key ($l)" test "$l" = \
	"<4>kagentd: reload: $CONF: agent.spool changed: needs a restart (the running value is kept)"
wait_for '.reload.reloads == 2' 10
S=$(st)
check "kagent status --json: restart_needed agent.spool, no error" \
	test "$(echo "$S" | jq -c '[.reload.restart_needed, .reload.error]')" = '["agent.spool",null]'
TXT=$("$BIN/kagent" status --socket "$T/agent/kagent.sock")
check "kagent status: restart needed" \
	grep -qxF "WARNING          restart needed: agent.spool (changed in $CONF; the running value is kept)" <<< "$TXT"
N=$(host_at "$HA" | jq .seq)
wait_seq "$HA" $((N + 2)) || check "reports after the restart-only change" false
check "the old spool is in use (spool2 empty)" test -z "$(ls "$T/agent/spool2")"

# 4. To the second collector: drained, moved, nothing lost or doubled.
conf "127.0.0.1:$PB" r2 2 "$T/agent/spool"
kill -HUP "$AGENT"
wait_for ".collector == \"127.0.0.1:$PB\" and .connection == \"connected\"" 30 ||
	check "connected to B after the reload" false
check "the move logged" grep -qF "reload: collector 127.0.0.1:$PA is no longer listed; moving to 127.0.0.1:$PB" "$T/agent/log"
N=$(st | jq .last_acked_seq)
wait_for ".last_acked_seq >= $((N + 3))" 30 || check "B acknowledges" false
check "B holds the new rack ($(host_at "$HB" | jq -r .rack))" test "$(host_at "$HB" | jq -r .rack)" = r2
# 5. A reload while a job is in flight (the prober's worker stopped, so
# the job waits for its watchdog): read at once, in effect when the job
# ends, and the report after it carries the new rack.
worker() { pgrep -P "$(pgrep -P "$AGENT" | head -1)" | head -1; }
W=$(worker)
kill -STOP "$W"
sleep 1.5
conf "127.0.0.1:$PB" r5 2 "$T/agent/spool"
# Earlier reloads may have met a job too (a slow build): count.
P0=$(grep -cE "^<6>kagentd: reload: $CONF read; in effect when job [0-9]+ ends$" "$T/agent/log")
kill -HUP "$AGENT"
wait_log "rack r5, collector"
P1=$(grep -cE "^<6>kagentd: reload: $CONF read; in effect when job [0-9]+ ends$" "$T/agent/log")
check "a job in flight: the reload waits for it ($P0 then $P1 such lines)" test "$P1" = $((P0 + 1))
check "... and takes effect once it ended" grep -qF "rack r5, collector 127.0.0.1:$PB" "$T/agent/log"
A=$(grep -n "in effect when job" "$T/agent/log" | tail -1 | cut -d: -f1)
E=$(grep -n "rack r5, collector" "$T/agent/log" | cut -d: -f1)
check "in that order (lines $A, $E)" test "${A:-0}" -lt "${E:-0}"
kill -CONT "$W" 2>/dev/null
N=$(host_at "$HB" | jq .seq)
wait_seq "$HB" $((N + 2)) || check "reports after the job's reload" false
check "B holds rack r5 ($(host_at "$HB" | jq -r .rack))" test "$(host_at "$HB" | jq -r .rack)" = r5

dups() { curl -sf "http://127.0.0.1:$1/metrics" | awk '$1 == "kagent_collector_duplicates_total" {print $2}'; }
check "no report received twice: A $(dups "$HA"), B $(dups "$HB")" \
	test "$(dups "$HA") $(dups "$HB")" = "0 0"
N=$(st | jq .last_acked_seq)
kill -TERM "$AGENT"
wait "$AGENT"
rc=$?
check "kagentd stops cleanly after the reloads: exit $rc" test "$rc" = 0
kill -TERM "$COLL_A" "$COLL_B"
wait "$COLL_A" "$COLL_B" 2>/dev/null
LA=$(sqlite3 "$T/A/c.db" "SELECT last_seq FROM hosts WHERE host_id = '$ID'")
LB=$(sqlite3 "$T/B/c.db" "SELECT last_seq FROM hosts WHERE host_id = '$ID'")
echo "agent acked up to $N; A's last_seq $LA, B's $LB"
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
print("A stored %s..%s, B %s..%s; both: %s; missing: %s" % (
    min(a), max(a), min(b), max(b), both, missing))
ok = not missing and not both and a and b and max(a) + 1 == min(b)
print(("ok   " if ok else "FAIL ") + "every seq 1..%d stored exactly once, A then B" % n)
sys.exit(0 if ok else 1)
PY
[ $fail -eq 0 ] || { echo "--- agent log"; cat "$T/agent/log"; echo "--- notify"; grep -v WATCHDOG "$T/got"; }
exit $fail
