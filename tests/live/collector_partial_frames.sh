#!/bin/bash
# Partial frames against a real kcollectord over TLS: connections with a
# valid certificate that say hello, then send 1 MiB - 1 bytes of a 1 MiB
# frame and stop.  The collector holds at most max_partial_bytes_per_identity
# (default 4 MiB) for one certificate and max_partial_bytes in all; each
# connection over a cap is closed, logged and counted, the others are
# untouched, and a real kagentd keeps reporting meanwhile.
#
# 1. Defaults: 200 such connections as zk3-a.  4 are held (4 MiB), 196
#    refused; the collector's RSS grows by a few MiB, not 200.
# 2. --max-partial-bytes 6MiB: 5 as zk3-a (4 held, 1 over its identity's
#    cap), 5 as zk3-b (2 held, then 3 over the total).
set -u
BIN=$1
. live/lib/e2e.sh
fail=0
PY_PIDS=()
trap 'kill "${PY_PIDS[@]}" 2>/dev/null; e2e_cleanup' EXIT
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
metric() { awk -v k="$1" '$1 == k { print $2 }' <<<"$M"; }
metrics() { M=$(curl -sf --max-time 5 "$COLL_URL/metrics"); }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$COLL_PID/status"; }
log_count() { grep -c -- "$1" "$T/collector.log"; }
# Under AddressSanitizer (make check-sanitize) freed frames would wait in
# its quarantine and count as RSS.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
REJ='kagent_collector_rejected_total{reason="partial_bytes"}'
HELD=kagent_collector_partial_frame_bytes

coll_start() {
	local i
	"$BIN/kcollectord" --listen 127.0.0.1:$LISTEN_PORT \
		--http 127.0.0.1:$HTTP_PORT --db "$T/collector.db" \
		--tls-ca "$CA/ca.pem" --tls-cert "$CA/collector.pem" \
		--tls-key "$CA/collector.key" --acl "$T/acl" --user nobody \
		"$@" 2>> "$T/collector.log" &
	COLL_PID=$!
	for i in $(seq 100); do
		curl -sf -o /dev/null "$COLL_URL/metrics" && return 0
		sleep 0.1
	done
	echo "FAIL kcollectord did not answer"
	exit 1
}

# partial NAME HOST_ID COUNT: in the background, until NAME.json exists.
partial() {
	e2e_issue "$2" || exit 1
	python3 live/lib/partial.py "$LISTEN_PORT" "$CA/ca.pem" \
		"$CA/hosts/$2.pem" "$CA/hosts/$2.key" "$2" "$3" "$T/$1.json" 60 &
	PY_PIDS+=($!)
	local i
	for i in $(seq 1200); do
		[ -s "$T/$1.json" ] && return 0
		sleep 0.1
	done
	echo "FAIL partial $1 did not finish"
	exit 1
}
pj() { jq -r ".$2" "$T/$1.json"; }
stop_partials() {
	kill "${PY_PIDS[@]}" 2>/dev/null
	wait "${PY_PIDS[@]}" 2>/dev/null
	PY_PIDS=()
}

echo "--- 1. defaults: 200 connections of zk3-a, each 1 MiB - 1 of a frame"
coll_start
e2e_agent_start kafka2-a kafka2 r1 kafka e2e-kafka-3.6.1
e2e_wait_acked kafka2-a 1 15 || { echo "FAIL kagentd not acknowledged"; fail=1; }
rss0=$(rss_kib)
partial a zk3-a 200
rss1=$(rss_kib)
metrics
echo "  client: $(cat "$T/a.json"); collector RSS $rss0 -> $rss1 KiB"
check "4 connections held, 196 closed" test "$(pj a held) $(pj a closed)" = "4 196"
check "refused for partial bytes: 196 ($(metric "$REJ"))" test "$(metric "$REJ")" = 196
check "partial frames held: 4 MiB ($(metric $HELD))" test "$(metric $HELD)" = 4194304
check "the collector's RSS grew by $(((rss1 - rss0) / 1024)) MiB, under 16" test $((rss1 - rss0)) -lt 16384
check "196 lines name the identity's cap" test \
	"$(log_count 'host zk3-a: partial_bytes: partial frames above max_partial_bytes_per_identity for this identity')" = 196
acked=$(e2e_status kafka2-a | jq -r .last_acked_seq)
check "a kagentd keeps reporting while the frames are held" e2e_wait_acked kafka2-a $((acked + 2)) 6
stop_partials
sleep 0.5
metrics
check "nothing held once they are gone ($(metric $HELD))" test "$(metric $HELD)" = 0
e2e_collector_stop TERM

echo "--- 2. --max-partial-bytes 6MiB: zk3-a then zk3-b, 5 connections each"
coll_start --max-partial-bytes 6MiB
partial b1 zk3-a 5
partial b2 zk3-b 5
metrics
echo "  zk3-a: $(cat "$T/b1.json"); zk3-b: $(cat "$T/b2.json")"
check "zk3-a: 4 held, 1 over its identity's cap" test "$(pj b1 held) $(pj b1 closed)" = "4 1"
check "zk3-b: 2 held, 3 over the total" test "$(pj b2 held) $(pj b2 closed)" = "2 3"
check "refused for partial bytes: 4 ($(metric "$REJ"))" test "$(metric "$REJ")" = 4
check "partial frames held: 6 MiB ($(metric $HELD))" test "$(metric $HELD)" = 6291456
check "3 lines name the total's cap" test \
	"$(log_count 'host zk3-b: partial_bytes: partial frames above max_partial_bytes (')" = 3
stop_partials

if [ $fail -ne 0 ]; then
	echo "--- collector log"
	tail -30 "$T/collector.log"
fi
exit $fail
