#!/bin/bash
# What each of kagentd's processes costs on the live host: the network
# side, the prober's watchdog and its worker.  kagentd runs with
# interval = 1 and health_interval = 1 for SECONDS (after a 5 s warm-up)
# reporting to a closed port (every report goes to the spool); then, per
# process, VmRSS, VmHWM and anonymous PSS (Pss_Anon of smaps_rollup), and
# CPU per report cycle: utime + stime of /proc/PID/stat (clock ticks, all
# threads) and sum_exec_runtime of every thread's schedstat (ns).
# usage: bench/prober_cost.sh BUILD_BIN_DIR [SECONDS=60]   (as root)
set -eu
BIN=$1; SECS=${2:-60}
T=$(mktemp -d); PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"; mkdir "$T/spool"
printf '[host]\nroles = kafka,zookeeper\n[agent]\nuser = nobody\ninsecure = yes\ncollector = 127.0.0.1:1\ninterval = 1\nhealth_interval = 1\nspool = %s/spool\nspool_max = 64MiB\nsocket = %s/s.sock\nhost_id = bench-1\nroot = /\n' "$T" "$T" > "$T/k.conf"
"$BIN/kagentd" --config "$T/k.conf" 2>"$T/log" & PID=$!
sleep 5
WATCH=$(cat /proc/$PID/task/$PID/children | tr -d ' ')
WORKER=$(cat /proc/$WATCH/task/$WATCH/children | tr -d ' ')
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Nanoseconds on a CPU, every thread (the network side has a pool).
ns() { cat /proc/$1/task/*/schedstat | awk '{s += $1} END {print s}'; }
seqno() { "$BIN/kagent" status --socket "$T/s.sock" --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["last_report_seq"])'; }
S0=$(seqno); N0=$(ticks $PID); W0=$(ticks $WATCH); K0=$(ticks $WORKER)
NS0=$(ns $PID); WS0=$(ns $WATCH); KS0=$(ns $WORKER)
sleep "$SECS"
S1=$(seqno); N1=$(ticks $PID); W1=$(ticks $WATCH); K1=$(ticks $WORKER)
NS1=$(ns $PID); WS1=$(ns $WATCH); KS1=$(ns $WORKER)
HZ=$(getconf CLK_TCK); N=$((S1 - S0))
echo "live root, $SECS s, $N report cycles, $HZ ticks/s"
for p in "network:$PID:$N0:$N1:$NS0:$NS1" "watchdog:$WATCH:$W0:$W1:$WS0:$WS1" \
	"worker:$WORKER:$K0:$K1:$KS0:$KS1"; do
	IFS=: read -r name pid t0 t1 n0 n1 <<<"$p"
	printf '%-9s pid %-7s VmRSS %6s kB  VmHWM %6s kB  Pss_Anon %6s kB  CPU %s ms/cycle (utime+stime), %s ms/cycle (schedstat)\n' \
		"$name" "$pid" \
		"$(awk '/^VmRSS/{print $2}' /proc/$pid/status)" \
		"$(awk '/^VmHWM/{print $2}' /proc/$pid/status)" \
		"$(awk '/^Pss_Anon/{print $2}' /proc/$pid/smaps_rollup)" \
		"$(awk -v a=$t0 -v b=$t1 -v hz=$HZ -v n=$N 'BEGIN{printf "%.3f", (b-a)*1000/hz/(n?n:1)}')" \
		"$(awk -v a=$n0 -v b=$n1 -v n=$N 'BEGIN{printf "%.3f", (b-a)/1e6/(n?n:1)}')"
done
echo "worker's libsensors mappings: $(grep -c libsensors /proc/$WORKER/maps || true)"
