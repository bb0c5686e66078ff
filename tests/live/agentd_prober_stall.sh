#!/bin/bash
# kagentd must keep reporting when a read of the prober never ends.
# 1. Its root holds a fifo as server.properties: reports keep coming, and
#    `kagent status --json` shows the Kafka checks unknown with the reason.
# 2. The prober's worker stops answering (SIGSTOP: as a read of a hung
#    device or mount would): after prober_timeout the watchdog logs it,
#    kills the worker and forks a new one with the same uid and
#    capabilities, the status shows the restart and its reason, and
#    reports go on.
set -u
BIN=$1
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"
mkdir "$T/spool" "$T/run"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/run"
cp -a fixtures/host-broker "$T/root"
chmod 755 "$T/root"
rm "$T/root/etc/kafka/server.properties"
mkfifo "$T/root/etc/kafka/server.properties"
cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka
cluster = test
rack = r1
[agent]
interval = 1
health_interval = 1
prober_timeout = 2
spool = $T/spool
socket = $T/run/kagent.sock
user = nobody
host_id = test-1
root = $T/root
CONF
fail=0
bad() { echo "FAIL $*"; fail=1; }
status() { timeout 5 "$BIN/kagent" status --socket "$T/run/kagent.sock" --json; }
seq_now() { status | jq -r '.last_report_seq // 0'; }
# The prober's worker: kagentd's child is the watchdog, its child the worker.
worker() { pgrep -P "$(pgrep -P "$PID" | head -1)" | head -1; }
capeff() { awk '/^CapEff:/ { print $2 }' "/proc/$1/status"; }
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }

"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/run/kagent.sock" ] && break; sleep 0.1; done
sleep 3
s1=$(seq_now)
sleep 2
s2=$(seq_now)
echo "reports with a fifo as server.properties: seq $s1, then $s2 two seconds later"
[ "${s1:-0}" -ge 1 ] && [ "${s2:-0}" -gt "${s1:-0}" ] || bad "reports stopped"
why="$T/root/etc/kafka/server.properties is a fifo, not a regular file"
enc=$(status | jq -r '.checks[] | select(.id == "kafka.security.encryption") | .severity + ": " + .message')
echo "kafka.security.encryption: $enc"
[ "$enc" = "unknown: $why" ] || bad "kafka.security.encryption '$enc'"

W1=$(worker)
[ -n "$W1" ] || { bad "no prober worker"; cat "$T/log"; exit 1; }
cap1=$(capeff "$W1")
uid1=$(uid_of "$W1")
kill -STOP "$W1"
t0=$(date +%s%N)
W2=
for _ in $(seq 100); do
	W2=$(worker)
	[ -n "$W2" ] && [ "$W2" != "$W1" ] && break
	sleep 0.1
done
t1=$(date +%s%N)
echo "worker $W1 stopped; worker $W2 in its place after $(( (t1 - t0) / 1000000 )) ms (prober_timeout 2 s, health every 1 s)"
[ -n "$W2" ] && [ "$W2" != "$W1" ] || bad "the stopped worker was not replaced"
[ -d "/proc/$W1" ] && [ "$(awk '{print $3}' "/proc/$W1/stat")" != Z ] && bad "worker $W1 still alive"
if [ -n "$W2" ]; then
	echo "capabilities $cap1 -> $(capeff "$W2"), uid $uid1 -> $(uid_of "$W2")"
	[ "$(capeff "$W2")" = "$cap1" ] || bad "new worker's capabilities"
	[ "$(uid_of "$W2")" = "$uid1" ] || bad "new worker's uid"
fi
line=$(grep -E '^kagentd prober: no answer to the (health|full report|SMART refresh) request in 2 s: prober restarted \(pid '"$W1"' killed, new pid [0-9]+\)$' "$T/log")
echo "log: $line"
[ -n "$line" ] || bad "no log line for the restart"
s3=$(seq_now)
sleep 3
s4=$(seq_now)
echo "reports after the restart: seq $s3, then $s4 three seconds later"
[ "${s4:-0}" -gt "${s3:-0}" ] || bad "reports stopped after the restart"
pr=$(status | jq -c '.prober')
echo "status prober: $pr"
jq -e '.restarts == 1 and (.last_error | test("^no answer to the (health|full report|SMART refresh) request in 2 s: prober restarted$"))' <<<"$pr" > /dev/null ||
	bad "status .prober"
# A worker that dies is replaced the same way, at the next request.
if [ -n "$W2" ]; then
	kill -KILL "$W2"
	W3=
	for _ in $(seq 50); do
		W3=$(worker)
		[ -n "$W3" ] && [ "$W3" != "$W2" ] && break
		sleep 0.1
	done
	echo "worker $W2 killed; worker $W3 in its place"
	[ -n "$W3" ] && [ "$W3" != "$W2" ] || bad "the dead worker was not replaced"
	sleep 0.5
	pr=$(status | jq -c '.prober')
	echo "status prober: $pr"
	jq -e '.restarts == 2 and (.last_error | test("^the prober failed the (health|full report|SMART refresh) request \\(Broken pipe\\): prober restarted$"))' <<<"$pr" > /dev/null ||
		bad "status .prober after the worker died"
	W2=$W3
	line=$(timeout 5 "$BIN/kagent" status --socket "$T/run/kagent.sock" | grep '^prober ')
	echo "kagent status: $line"
	[[ "$line" =~ ^prober\ +2\ restart\(s\),\ last:\ the\ prober\ failed\ the\ .*\ request\ \(Broken\ pipe\):\ prober\ restarted$ ]] ||
		bad "kagent status line '$line'"
fi
kill -TERM $PID
wait $PID
rc=$?
echo "kagentd exit status after SIGTERM: $rc (want 0)"
[ $rc -eq 0 ] || bad "exit status $rc"
# Its watchdog gone, the worker gets SIGKILL (PR_SET_PDEATHSIG).
sleep 0.5
if [ -n "$W2" ] && [ -d "/proc/$W2" ]; then
	st=$(awk '{print $3}' "/proc/$W2/stat")
	echo "worker $W2 after kagentd: state $st"
	[ "$st" = Z ] || bad "worker $W2 outlived kagentd"
fi
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/log"; }
exit $fail
