#!/bin/bash
# A flood of idle TCP connections against a real kcollectord over TLS, with
# its descriptor limit lowered, while a real kagentd reports and curl reads
# /metrics.
#
# 1. Default caps, started with `ulimit -Sn 256 -Hn 1024`: the collector
#    raises its soft limit to 1024; 1100 idle connections from 127.0.0.2
#    to the agents' port and 100 to the HTTP port from 127.0.0.3.  Only
#    max_pending_per_address (32) of each are held, the rest refused at
#    accept; a kagentd started from 127.0.0.1 meanwhile is admitted and
#    acknowledged, and curl reads /metrics; the idle ones are closed at
#    handshake_timeout and http_timeout, both 30 s here: long enough that
#    the checks made during the flood (and kagentd's first report) fall
#    inside it on a loaded or sanitized build.
# 2. Caps raised above the descriptors (--max-pending 4096
#    --max-pending-per-address 4096) under `ulimit -n 256`: 1100 idle
#    connections exhaust the descriptors.  The collector keeps serving the
#    kagentd it had admitted, accepts and closes the excess through its
#    reserve descriptor, logs the episode once, and counts exactly
#    1100 - (256 - descriptors in use before) refusals; once the idle ones
#    time out (handshake_timeout 15 s here), curl reads again.
set -u
BIN=$1
. live/lib/e2e.sh
fail=0
FLOOD_PIDS=()
trap 'kill "${FLOOD_PIDS[@]}" 2>/dev/null; e2e_cleanup' EXIT
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
# metric 'NAME{LABELS}': its value in $M
metric() { awk -v k="$1" '$1 == k { print $2 }' <<<"$M"; }
metrics() { M=$(curl -sf --max-time 5 "$COLL_URL/metrics"); }
fds() { ls "/proc/$COLL_PID/fd" | wc -l; }
log_count() { grep -c -- "$1" "$T/collector.log"; }
# timeout_sum PORT MS: connections the log says were closed for not
# authenticating within MS; timeout_lines: in how many lines.
timeout_re() { echo "$1 port: \\([0-9]*\\) connections\\{0,1\\} closed, not authenticated within $2 ms"; }
timeout_sum() { sed -n "s/.*$(timeout_re "$1" "$2").*/\\1/p" "$T/collector.log" | awk '{ s += $1 } END { print s + 0 }'; }
timeout_lines() { grep -c "$(timeout_re "$1" "$2")" "$T/collector.log"; }

# coll_start SOFT HARD [FLAG...]: kcollectord under those limits.
coll_start() {
	local soft=$1 hard=$2 i
	shift 2
	(
		ulimit -Sn "$soft" && ulimit -Hn "$hard" &&
			exec "$BIN/kcollectord" --listen 127.0.0.1:$LISTEN_PORT \
				--http 127.0.0.1:$HTTP_PORT --db "$T/collector.db" \
				--tls-ca "$CA/ca.pem" --tls-cert "$CA/collector.pem" \
				--tls-key "$CA/collector.key" --acl "$T/acl" \
				--user nobody "$@"
	) 2>> "$T/collector.log" &
	COLL_PID=$!
	for i in $(seq 100); do
		curl -sf -o /dev/null "$COLL_URL/metrics" && return 0
		sleep 0.1
	done
	echo "FAIL kcollectord did not answer"
	cat "$T/collector.log"
	exit 1
}

# flood NAME PORT SOURCE COUNT DEADLINE_S SPLIT_S: idle connections in the
# background; waits until all are connected.  Those closed before SPLIT_S
# count as refused at accept, the others as timed out.
flood() {
	(ulimit -n 4096 && exec python3 live/lib/flood.py 127.0.0.1 "$2" "$3" "$4" \
		"$T/$1.ready" "$T/$1.json" "$5" "$6") &
	FLOOD_PIDS+=($!)
	eval "FLOOD_$1=$!"
	local i
	for i in $(seq 300); do
		[ -s "$T/$1.ready" ] && return 0
		sleep 0.1
	done
	echo "FAIL flood $1 did not connect"
	exit 1
}
flood_wait() { local v="FLOOD_$1"; wait "${!v}"; }
fj() { jq -r ".$2" "$T/$1.json"; }

echo "--- 1. defaults; soft limit 256, hard 1024"
coll_start 256 1024 --handshake-timeout 30 --http-timeout 30
lim=$(awk '/^Max open files/ { print $4 " " $5 }' "/proc/$COLL_PID/limits")
check "the soft descriptor limit raised to the hard one ($lim)" test "$lim" = "1024 1024"
t0=$(date +%s.%N)
flood a1 "$LISTEN_PORT" 127.0.0.2 1100 45 15
flood h1 "$HTTP_PORT" 127.0.0.3 100 45 15
metrics
check "curl reads /metrics during the flood" test -n "$M"
check "agents' port: 32 idle connections held ($(metric 'kagent_collector_pending_connections{port="agents"}'))" \
	test "$(metric 'kagent_collector_pending_connections{port="agents"}')" = 32
check "agents' port: 1068 refused per address ($(metric 'kagent_collector_refused_total{port="agents",reason="pending_per_address"}'))" \
	test "$(metric 'kagent_collector_refused_total{port="agents",reason="pending_per_address"}')" = 1068
check "http port: 32 idle connections held ($(metric 'kagent_collector_pending_connections{port="http"}'))" \
	test "$(metric 'kagent_collector_pending_connections{port="http"}')" = 32
check "http port: 68 refused per address ($(metric 'kagent_collector_refused_total{port="http",reason="pending_per_address"}'))" \
	test "$(metric 'kagent_collector_refused_total{port="http",reason="pending_per_address"}')" = 68
e2e_agent_start zk3-a zk3 r1 zookeeper e2e-zk3
check "a kagentd started during the flood is acknowledged" e2e_wait_acked zk3-a 1 8
metrics
check "... while the flood is still held ($(metric 'kagent_collector_pending_connections{port="agents"}') pending)" \
	test "$(metric 'kagent_collector_pending_connections{port="agents"}')" = 32
flood_wait a1
flood_wait h1
echo "  agents' flood: $(cat "$T/a1.json")"
echo "  http flood:    $(cat "$T/h1.json")"
check "agents' port: the 1068 refused were closed at once" test "$(fj a1 refused)" = 1068
check "agents' port: the 32 held were closed after 30 s ($(fj a1 lifetime_min)..$(fj a1 lifetime_max) s)" \
	python3 -c "import sys; sys.exit(not ($(fj a1 timed_out) == 32 and 29.9 <= $(fj a1 lifetime_min) and $(fj a1 lifetime_max) <= 30.5))"
check "http port: the 32 held were closed after 30 s ($(fj h1 lifetime_min)..$(fj h1 lifetime_max) s)" \
	python3 -c "import sys; sys.exit(not ($(fj h1 timed_out) == 32 and 29.9 <= $(fj h1 lifetime_min) and $(fj h1 lifetime_max) <= 30.5))"
metrics
check "timeouts: 32 on each port" test \
	"$(metric 'kagent_collector_timeouts_total{port="agents"}') $(metric 'kagent_collector_timeouts_total{port="http"}')" = "32 32"
check "nothing pending any more" test \
	"$(metric 'kagent_collector_pending_connections{port="agents"}') $(metric 'kagent_collector_pending_connections{port="http"}')" = "0 0"
check "no descriptor exhaustion" test \
	"$(metric 'kagent_collector_refused_total{port="agents",reason="descriptors"}')" = 0
check "the refusals logged once per port" test \
	"$(log_count 'agents port: refusing new connections (first from 127.0.0.2)') $(log_count 'http port: refusing new connections (first from 127.0.0.3)')" = "1 1"
# One line per sweep (100 ms) that closed any, not one per connection.
check "the timeouts logged in batches: $(timeout_lines agents 30000) lines for 32 on the agents' port, $(timeout_lines http 30000) for 32 on http" \
	test "$(timeout_sum agents 30000) $(timeout_sum http 30000)" = "32 32" -a "$(timeout_lines agents 30000)" -le 3
e2e_collector_stop TERM

echo "--- 2. caps above the descriptors; ulimit -n 256"
coll_start 256 256 --max-pending 4096 --max-pending-per-address 4096 --handshake-timeout 15
acked=$(e2e_status zk3-a | jq -r .last_acked_seq)
e2e_wait_acked zk3-a $((acked + 2)) 15 || { echo "FAIL kagentd did not reconnect"; fail=1; }
sleep 0.3
base=$(fds)
held=$((256 - base))
echo "  $base descriptors in use before the flood: $held left for connections"
flood a2 "$LISTEN_PORT" 127.0.0.2 1100 30 7.5
acked=$(e2e_status zk3-a | jq -r .last_acked_seq)
check "the admitted kagentd is still acknowledged while no descriptor is left" \
	e2e_wait_acked zk3-a $((acked + 2)) 4
check "all 256 descriptors in use ($(fds))" test "$(fds)" = 256
check "a new HTTP reader is refused while no descriptor is left" \
	test -z "$(curl -sf --max-time 2 "$COLL_URL/metrics")"
flood_wait a2
echo "  agents' flood: $(cat "$T/a2.json")"
check "$((1100 - held)) refused at accept, $held closed after 15 s ($(fj a2 lifetime_min)..$(fj a2 lifetime_max) s)" \
	python3 -c "import sys; sys.exit(not ($(fj a2 refused) == $((1100 - held)) and $(fj a2 timed_out) == $held and 14.9 <= $(fj a2 lifetime_min) and $(fj a2 lifetime_max) <= 15.5))"
# One more connection ends the episode on the agents' port.
python3 -c "import socket; socket.create_connection(('127.0.0.1', $LISTEN_PORT)).close()"
metrics
check "curl reads /metrics again" test -n "$M"
check "refused for descriptors on the agents' port: $((1100 - held)) ($(metric 'kagent_collector_refused_total{port="agents",reason="descriptors"}'))" \
	test "$(metric 'kagent_collector_refused_total{port="agents",reason="descriptors"}')" = $((1100 - held))
check "refused for descriptors on the http port: 1 ($(metric 'kagent_collector_refused_total{port="http",reason="descriptors"}'))" \
	test "$(metric 'kagent_collector_refused_total{port="http",reason="descriptors"}')" = 1
check "timeouts on the agents' port: $held, logged in $(timeout_lines agents 15000) lines" \
	test "$(metric 'kagent_collector_timeouts_total{port="agents"}') $(timeout_sum agents 15000)" = "$held $held"
check "one exhaustion per port" test \
	"$(metric 'kagent_collector_descriptor_exhaustions_total{port="agents"}') $(metric 'kagent_collector_descriptor_exhaustions_total{port="http"}')" = "1 1"
check "the exhaustion logged once, when it began and when it ended" test \
	"$(log_count 'agents port: refusing new connections (first from an unknown address): no file descriptor left') $(log_count "agents port: accepting again; $((1100 - held)) connections refused (descriptors)")" = "1 1"
check "no pending caps reached" test \
	"$(metric 'kagent_collector_refused_total{port="agents",reason="pending"}')" = 0

if [ $fail -ne 0 ]; then
	echo "--- collector log"
	cat "$T/collector.log"
fi
exit $fail
