#!/bin/bash
# kagentd's steady cost: peak RSS (VmHWM) of the loop process and of the
# prober, their anonymous PSS summed (smaps_rollup's Pss_Anon), and CPU per
# full report cycle (interval = 1 s) over N seconds.
# usage: bench/agent_cycle.sh BUILD_BIN_DIR [SECONDS] [ROOT]
set -eu
BIN=$1; SECS=${2:-30}; ROOT=${3:-$(cd "$(dirname "$0")/../tests/fixtures/host-broker" && pwd)}
T=$(mktemp -d); trap 'kill $PID 2>/dev/null; rm -rf "$T"' EXIT
mkdir "$T/spool"
# As root kagentd drops to an unprivileged user, who must reach the spool.
chmod 755 "$T"
printf '[host]\nroles = kafka,zookeeper\n[agent]\nuser = nobody\ninsecure = yes\ncollector = 127.0.0.1:1\ninterval = 1\nhealth_interval = 1\nspool = %s/spool\nspool_max = 64MiB\nsocket = %s/s.sock\nhost_id = bench-1\nroot = %s\n' "$T" "$T" "$ROOT" > "$T/k.conf"
"$BIN/kagentd" --config "$T/k.conf" 2>/dev/null & PID=$!
sleep "$SECS"
CHILD=$(cat /proc/$PID/task/$PID/children | tr -d ' ')
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
HZ=$(getconf CLK_TCK)
T1=$(( $(ticks $PID) + $(ticks $CHILD) ))
SEQ=$("$BIN/kagent" status --socket "$T/s.sock" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_report_seq"])')
echo "root: $ROOT, $SECS s, $SEQ reports"
echo "loop process VmHWM: $(awk '/VmHWM/{print $2, $3}' /proc/$PID/status)"
echo "prober VmHWM:       $(awk '/VmHWM/{print $2, $3}' /proc/$CHILD/status)"
pss_anon() { awk '/^Pss_Anon:/{print $2}' /proc/$1/smaps_rollup; }
echo "anonymous PSS (both): $(( $(pss_anon $PID) + $(pss_anon $CHILD) )) kB"
echo "CPU (both): $T1 ticks at $HZ Hz = $(awk -v t=$T1 -v hz=$HZ -v n=$SEQ 'BEGIN{printf "%.2f ms per report cycle", t*1000/hz/n}')"
