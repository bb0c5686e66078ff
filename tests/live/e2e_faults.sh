#!/bin/bash
# Faults on loopback with a real kcollectord and five kagentd (interval 1 s):
# the collector is killed (SIGKILL) and restarted, then stopped (SIGTERM) and
# restarted; during the outage one agent is restarted with reports in its
# spool, and one agent (kafka2-a, spool_max 64 KiB) overflows its spool.
#
# Why this proves "every report delivered once, in order, none lost": the
# store keeps a report only when its seq is above the host's stored seq
# (so never twice, and never an older one after a newer), and kcollectord
# logs "seq gap" whenever a stored seq is not the stored one + 1, counting
# from what the database holds at each hello, and "first report has seq"
# when a new host's first is not 1.  So with neither line over all
# lifetimes of the collector, the seqs stored for a host are exactly
# 1, 2, ..., L in that order.  At the end the agents are stopped, their
# last seq N read from spool/state, and restarted: the collector must reach
# L >= N, i.e. nothing the agent ever produced is missing.  The overflowing
# agent is the control: its drops (spool/state "dropped") must show up as
# gap lines, at most as many seqs as it dropped.
set -u
BIN=$1
. live/lib/e2e.sh
HOSTS="zk3-a zk3-b kmix-a kmix-c kafka2-a"
CONTROL=kafka2-a
fail=0
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
st() { e2e_status "$1" | jq -r "$2"; }
start_all() {
	e2e_agent_start zk3-a zk3 r1 zookeeper e2e-zk3
	e2e_agent_start zk3-b zk3 r2 zookeeper e2e-zk3
	e2e_agent_start kmix-a kmix r1 kafka e2e-kafka-3.6.1
	e2e_agent_start kmix-c kmix r3 kafka e2e-kafka-0.10.2.1
	e2e_agent_start kafka2-a kafka2 r1 kafka e2e-kafka-3.6.1 "spool_max = 64KiB"
}
wait_socket() {
	local i
	for i in $(seq 100); do
		e2e_status "$1" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# Every agent's acked seq at or above what it had produced before the
# collector came back.
wait_caught_up() {
	local h
	declare -A r
	for h in $HOSTS; do r[$h]=$(st "$h" .last_report_seq); done
	for h in $HOSTS; do
		e2e_wait_acked "$h" "${r[$h]}" 30 ||
			{ echo "FAIL $h: seq ${r[$h]} not acknowledged"; fail=1; }
	done
	for h in $HOSTS; do
		echo "  $h: report seq ${r[$h]} acked; spool $(st "$h" '.spool|"\(.reports) reports, \(.dropped) dropped"')"
	done
}

e2e_collector_start || exit 1
start_all
for h in $HOSTS; do wait_socket "$h"; e2e_wait_acked "$h" 2 30 || { echo "FAIL $h: no ack"; fail=1; }; done

echo "--- kcollectord killed (SIGKILL)"
e2e_collector_stop KILL
sleep 2.5
for h in $HOSTS; do
	check "$h: reports spooled while the collector is down ($(st "$h" .spool.reports), connection $(st "$h" .connection))" \
		test "$(st "$h" .spool.reports)" -ge 1
done

echo "--- zk3-a restarted with a non-empty spool"
q0=$(st zk3-a .last_report_seq)
e2e_agent_stop zk3-a TERM
f0=$(ls "$T/zk3-a/spool" | grep -c '\.frame$')
s0=$(sed -n 's/^last_seq //p' "$T/zk3-a/spool/state")
echo "  before: last_report_seq $q0, spool/state last_seq $s0, $f0 frames on disk"
e2e_agent_start zk3-a zk3 r1 zookeeper e2e-zk3
wait_socket zk3-a
sleep 1.2
check "zk3-a: spool kept across the restart ($(st zk3-a .spool.reports) >= $f0 frames)" \
	test "$(st zk3-a .spool.reports)" -ge "$f0"
check "zk3-a: seq continues after the restart ($(st zk3-a .last_report_seq) > $s0)" \
	test "$(st zk3-a .last_report_seq)" -gt "$s0"

echo "--- $CONTROL overflows its 64 KiB spool"
for _ in $(seq 300); do
	[ "$(st $CONTROL .spool.dropped)" -ge 1 ] && break
	sleep 0.1
done
check "$CONTROL: spool dropped the oldest ($(st $CONTROL .spool.dropped) dropped, $(st $CONTROL .spool.bytes) bytes)" \
	test "$(st $CONTROL .spool.dropped)" -ge 1

echo "--- kcollectord restarted"
e2e_collector_start || exit 1
wait_caught_up

echo "--- kcollectord stopped (SIGTERM) and restarted"
e2e_collector_stop TERM
sleep 1.5
e2e_collector_start || exit 1
wait_caught_up

echo "--- agents stopped: their last seq; restarted: the collector must reach it"
declare -A N D
for h in $HOSTS; do
	e2e_agent_stop "$h" TERM
	N[$h]=$(sed -n 's/^last_seq //p' "$T/$h/spool/state")
	D[$h]=$(sed -n 's/^dropped //p' "$T/$h/spool/state")
done
start_all
for h in $HOSTS; do
	L=0
	for _ in $(seq 200); do
		L=$(curl -sf "$COLL_URL/api/hosts/$h" | jq -r .seq)
		[ "${L:-0}" -ge "${N[$h]}" ] && break
		sleep 0.1
	done
	check "$h: collector's last seq $L >= agent's last seq ${N[$h]}" test "${L:-0}" -ge "${N[$h]}"
done

M=$(curl -sf "$COLL_URL/metrics")
echo "$M" | grep -E '^kagent_collector_(reports|duplicates|seq_gaps|rejected)_total'
check "no connection rejected in the last lifetime" \
	test -z "$(echo "$M" | grep '^kagent_collector_rejected_total' | grep -v ' 0$')"
echo "gap lines of kcollectord over all lifetimes:"
grep 'seq gap' "$T/collector.log" || echo "  (none)"
check "every host's first stored report has seq 1 (no 'first report has seq' line)" \
	test -z "$(grep 'first report has seq' "$T/collector.log")"
for h in $HOSTS; do
	gap=$(sed -n "s/.* host $h: seq gap: \([0-9]*\) stored after \([0-9]*\)$/\1 \2/p" \
		"$T/collector.log" | awk '{ s += $1 - $2 - 1 } END { print s + 0 }')
	if [ "$h" = $CONTROL ]; then
		check "$h (control): $gap seqs skipped, 1..${D[$h]} dropped by its spool" \
			test "$gap" -ge 1 -a "$gap" -le "${D[$h]}"
	else
		check "$h: no seq skipped ($gap), none dropped (${D[$h]}): seqs 1..${N[$h]} stored once, in order" \
			test "$gap" -eq 0 -a "${D[$h]}" -eq 0
	fi
done
if [ $fail -ne 0 ]; then
	echo "--- collector log"
	cat "$T/collector.log"
fi
exit $fail
