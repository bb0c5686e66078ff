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
# compare whatever else the machine was doing.  W1=0 leaves run 1 out
# (the idle figure then comes from run 2).
# With a second directory BASE_BINDIR (another build, e.g. of main) its
# kcollectord goes through the same runs first, with the same loadgen
# (BINDIR's), and the summary sets the two side by side.
# Targets (issue 16), each printed with the figure over the target:
# 100 000 reports per collector CPU second with 10 000 TLS agents, ack
# p99 under 50 ms at 50 000 reports/s offered (or at the highest rate the
# agents reached, which the line states), at most 16 KiB per idle TLS
# connection.
#   [AGENTS=N] [SECONDS_RUN=T] [WINDOW=W] [RATE=R] [SOURCES=S] [PORT=P]
#   [W1=0|1] bench/collector_load.sh [--insecure] [BINDIR [BASE_BINDIR]]
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
base=${2:-}
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
# The collector on core 0, the agents on core 1, when there are two.
if [ "$(nproc)" -ge 2 ]; then
	pin=(taskset -c 1)
else
	pin=()
fi
# utime + stime of the collector (fields 14, 15 after the command name),
# which counts only the time it ran, not the time it waited for a core.
cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat"
}
# One run of loadgen against the collector started by bench: its output
# in $dir/$label-$name.out, the collector's CPU seconds for the run and
# the acked reports per CPU second appended.
run() {
	local name=$1 c0 c1 w0 w1 acked out
	shift
	out="$dir/$label-$name.out"
	c0=$(cpu)
	w0=$(cut -d' ' -f2 "/proc/$pid/schedstat")
	"${pin[@]}" "$bin/loadgen" "${lg_tls[@]}" --cluster soak \
		--connect 127.0.0.1:$port --agents "$agents" \
		--seconds "$seconds" --pid "$pid" --sources "$sources" "$@" \
		>"$out" || echo "$label $name: loadgen exit status $?"
	c1=$(cpu)
	w1=$(cut -d' ' -f2 "/proc/$pid/schedstat")
	acked=$(sed -n 's/^reports: \([0-9]*\) acked.*/\1/p' "$out")
	awk -v a="${acked:-0}" -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" 'BEGIN {
		printf "collector CPU for the run: %.2f s (handshakes included), %.0f reports per CPU second\n",
			c1 - c0, (c1 > c0 ? a / (c1 - c0) : 0)
		printf "collector waiting for a core: %.2f s (/proc/PID/schedstat)\n",
			(w1 - w0) / 1e9 }' >>"$out"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
	sed "s/^/$label $name: /" "$out"
}
# The three runs against the kcollectord of $1, labelled $2.
bench() {
	local cbin=$1 i=0
	label=$2
	rm -f "$dir/c.db" "$dir/c.db-wal" "$dir/c.db-shm"
	# Every simulated agent comes from loopback and they connect at
	# once: no cap per address on connections not yet authenticated.
	# Started as root, the collector becomes nobody.
	"$cbin/kcollectord" "${coll_tls[@]}" --listen 127.0.0.1:$port \
		--http 127.0.0.1:$hport --db "$dir/c.db" --user nobody \
		--max-pending 1000000 --max-pending-per-address 1000000 \
		2>"$dir/$label.log" &
	pid=$!
	until curl -sf "http://127.0.0.1:$hport/metrics" >/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$dir/$label.log"; exit 1; }
		sleep 0.05
	done
	[ ${#pin[@]} -eq 0 ] || taskset -pc 0 "$pid" >/dev/null
	echo "$label: $cbin/kcollectord, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	[ "${W1:-1}" = 0 ] || run w1
	run "w$window" --inflight "$window"
	run "w$window-rate" --inflight "$window" --rate "$rate"
	curl -sf "http://127.0.0.1:$hport/metrics" | grep '^kagent_collector_insecure ' |
		sed "s/^/$label: /"
	grep -c . "$dir/$label.log" | xargs echo "$label: collector log lines:"
	# The most frequent lines, peers and hosts blanked.
	sed 's/peer [^ ]* host [^ ]*/peer - host -/' "$dir/$label.log" |
		sort | uniq -c | sort -rn | head -5
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}
echo "conditions: $agents agents from $sources source addresses, $seconds s a run, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
labels=()
if [ -n "$base" ]; then
	bench "$base" base
	labels+=(base)
fi
bench "$bin" this
labels+=(this)
# The three figures of the issue, each over its target, one column per
# collector.
figure() { sed -n "s/^$2 *//p" "$dir/$1.out" | head -1; }
idle_run=w1
[ "${W1:-1}" != 0 ] || idle_run="w$window"
echo "--- summary (figure / target = ratio; met when reports >= 1, the others <= 1)"
for l in "${labels[@]}"; do
	kib=$(figure "$l-$idle_run" 'collector RSS: .*: ' | awk '{ print $1 }')
	cps=$(figure "$l-w$window" 'collector CPU while reporting: ' |
		sed 's/.*: \([0-9]*\) reports per CPU second/\1/')
	p99=$(figure "$l-w$window-rate" 'ack latency: ' | sed 's/.*p99 \([0-9.]*\) ms/\1/')
	sent=$(figure "$l-w$window-rate" 'offered: ' | sed 's/.*, \([0-9]*\) reports\/s sent/\1/')
	load=$(figure "$l-w$window" 'load average: ')
	qwait=$(figure "$l-w$window-rate" 'collector waiting for a core: ' | awk '{ print $1 }')
	awk -v l="$l" -v cps="${cps:-0}" -v p99="${p99:-0}" -v kib="${kib:-0}" \
		-v sent="${sent:-0}" -v rate="$rate" -v wait="${qwait:-0}" -v w="$window" -v load="$load" 'BEGIN {
		printf "%s: reports per collector CPU second (window %s): %.0f / 100000 = %.2f\n",
			l, w, cps, cps / 100000
		printf "%s: ack p99 at %s reports/s offered, %.0f reached: %.1f ms / 50 ms = %.2f (the collector waited %.2f s for a core)\n",
			l, rate, sent, p99, p99 / 50, wait
		printf "%s: per idle TLS connection: %.2f KiB / 16 KiB = %.2f\n",
			l, kib, kib / 16
		printf "%s: load average during the window run: %s\n", l, load }'
done
