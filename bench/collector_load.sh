#!/bin/bash
# kcollectord under N simulated agents (default 1000) for T seconds: the
# handshake phase (until every agent's hello is acked), reports/s, ack
# latency p50/p99, collector RSS per idle connection.  Targets (issue
# step 4): 50 000 reports/s on one core with 1 000 agents, under 16 KiB of
# collector memory per idle connection.
#   [AGENTS=N] [SECONDS_RUN=T] [PORT=P] bench/collector_load.sh [--insecure] [BINDIR]
# Mutual TLS by default, as shipped: a CA and the collector's certificate
# made here with packaging/kagent-ca, an ACL letting loadgen-* report into
# cluster soak and loopback read /metrics, and loadgen issuing each agent
# its own certificate.  --insecure runs both sides plaintext.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
insecure=0
if [ "${1:-}" = --insecure ]; then
	insecure=1
	shift
fi
bin=${1:-build/bin}
agents=${AGENTS:-1000}
seconds=${SECONDS_RUN:-10}
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
# One descriptor per agent on each side.
ulimit -n $((agents * 2 + 256))
. "$here/loadgen_tls.sh"
loadgen_tls "$insecure" "$dir" || exit 1
# Every simulated agent comes from 127.0.0.1 and they connect at once:
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
	set -- taskset -c 1
else
	set --
fi
"$@" "$bin/loadgen" "${lg_tls[@]}" --cluster soak \
	--connect 127.0.0.1:$port --agents "$agents" --seconds "$seconds" \
	--pid "$pid"
# utime + stime of the collector (fields 14, 15 after the command name),
# which counts only the time it ran, not the time it waited for a core.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat")
echo "collector CPU: $cpu s"
curl -sf "http://127.0.0.1:$hport/metrics" | grep '^kagent_collector_insecure '
grep -c . "$dir/log" | xargs echo "collector log lines:"
# The most frequent lines, peers and hosts blanked.
sed 's/peer [^ ]* host [^ ]*/peer - host -/' "$dir/log" | sort | uniq -c |
	sort -rn | head -5
