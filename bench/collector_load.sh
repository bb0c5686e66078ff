#!/bin/bash
# kcollectord under N simulated agents (default 10 000) over mutual TLS,
# three runs of T seconds against one collector, each reconnecting every
# agent:
#   1. window 1: hellos without a window, one report in flight per agent
#      (the agents of before the window): reports/s, ack p50/p99;
#   2. window W (default 32, asked in the hello): reports/s, ack p50/p99;
#   3. window W at a fixed offered rate (default 50 000 reports/s): ack
#      p50/p99 at that rate.
# The first also gives the collector's RSS per idle TLS connection, and
# every run the collector's CPU seconds, so that reports per CPU second
# compare whatever else the machine was doing.
# Targets (issue 16): 100 000 reports/s on one core with 10 000 TLS
# agents, ack p99 under 50 ms at 50 000 reports/s, at most 16 KiB per idle
# TLS connection.
#   [AGENTS=N] [SECONDS_RUN=T] [WINDOW=W] [RATE=R] [SOURCES=S] [PORT=P]
#   bench/collector_load.sh [--insecure] [BINDIR]
# The agents connect from S source addresses 127.0.0.1 .. 127.0.0.S
# (default one per 5 000 agents, at least 2): one address has about
# 28 000 ephemeral ports towards the collector, and three runs of 10 000
# leave sockets in TIME_WAIT.  The descriptor limit is raised to one per
# agent and process, and some more.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
insecure=0
if [ "${1:-}" = --insecure ]; then
	insecure=1
	shift
fi
bin=${1:-build/bin}
agents=${AGENTS:-10000}
seconds=${SECONDS_RUN:-10}
window=${WINDOW:-32}
rate=${RATE:-50000}
sources=${SOURCES:-$(( (agents + 4999) / 5000 ))}
[ "$sources" -ge 2 ] || sources=2
# PORT and PORT+1 when given, else two free ones.
if [ -n "${PORT:-}" ]; then
	port=$PORT hport=$((PORT + 1))
else
	read -r port hport < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
fi
dir=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
# One descriptor per agent in each process (collector, loadgen), and
# some more; the hard limit too when allowed (root).
need=$((agents + 512))
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || ulimit -Sn "$need" || exit 1
fi
. "$here/loadgen_tls.sh"
loadgen_tls "$insecure" "$dir" || exit 1
# Every simulated agent comes from loopback and they connect at once:
# no cap per address on connections not yet authenticated.  Started as
# root, the collector becomes nobody.
"$bin/kcollectord" "${coll_tls[@]}" --listen 127.0.0.1:$port \
	--http 127.0.0.1:$hport --db "$dir/c.db" --user nobody \
	--max-pending 1000000 --max-pending-per-address 1000000 2>"$dir/log" &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$hport/metrics" >/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$dir/log"; exit 1; }
	sleep 0.05
done
# The collector on core 0, the agents on core 1, when there are two.
if [ "$(nproc)" -ge 2 ]; then
	taskset -pc 0 "$pid" >/dev/null
	pin=(taskset -c 1)
else
	pin=()
fi
# utime + stime of the collector (fields 14, 15 after the command name),
# which counts only the time it ran, not the time it waited for a core.
cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat"
}
echo "conditions: $agents agents from $sources source addresses, $seconds s a run, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run() {
	local name=$1 c0 c1 acked
	shift
	c0=$(cpu)
	"${pin[@]}" "$bin/loadgen" "${lg_tls[@]}" --cluster soak \
		--connect 127.0.0.1:$port --agents "$agents" \
		--seconds "$seconds" --pid "$pid" --sources "$sources" "$@" \
		>"$dir/$name.out" || echo "$name: loadgen exit status $?"
	c1=$(cpu)
	sed "s/^/$name: /" "$dir/$name.out"
	acked=$(sed -n 's/^reports: \([0-9]*\) acked.*/\1/p' "$dir/$name.out")
	awk -v n="$name" -v a="${acked:-0}" -v c0="$c0" -v c1="$c1" 'BEGIN {
		printf "%s: collector CPU %.2f s (handshakes included), %.0f reports per CPU second\n",
			n, c1 - c0, (c1 > c0 ? a / (c1 - c0) : 0) }'
	echo "$name: load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
run w1
run "w$window" --inflight "$window"
run "w$window-rate" --inflight "$window" --rate "$rate"
summary() { sed -n "s/^$2 *//p" "$dir/$1.out" | head -1; }
echo "--- summary"
echo "idle: $(summary w1 'collector RSS: .*: ') (target 16 KiB)"
for r in w1 "w$window"; do
	echo "$r: $(summary "$r" 'reports: ') ($(summary "$r" 'ack latency: ')); collector CPU while reporting $(summary "$r" 'collector CPU while reporting: ')"
done
echo "w$window at $rate reports/s offered: $(summary "w$window-rate" 'offered: '); $(summary "w$window-rate" 'ack latency: ') (target p99 < 50 ms)"
curl -sf "http://127.0.0.1:$hport/metrics" | grep '^kagent_collector_insecure '
grep -c . "$dir/log" | xargs echo "collector log lines:"
# The most frequent lines, peers and hosts blanked.
sed 's/peer [^ ]* host [^ ]*/peer - host -/' "$dir/log" | sort | uniq -c |
	sort -rn | head -5
