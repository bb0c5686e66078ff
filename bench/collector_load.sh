#!/bin/sh
# kcollectord under N simulated agents (default 1000) for T seconds: reports/s,
# ack latency p50/p99, collector RSS per idle connection.  Targets (issue
# step 4): 50 000 reports/s on one core with 1 000 agents, under 16 KiB of
# collector memory per idle connection.
set -eu
bin=${1:-build/bin}
agents=${AGENTS:-1000}
seconds=${SECONDS_RUN:-10}
port=${PORT:-17171}
hport=$((port + 1))
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
# One descriptor per agent on each side.
ulimit -n $((agents * 2 + 256))
"$bin/kcollectord" --insecure --listen 127.0.0.1:$port --http 127.0.0.1:$hport \
	--db "$dir/c.db" 2>"$dir/log" &
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
"$@" "$bin/loadgen" --connect 127.0.0.1:$port --agents "$agents" \
	--seconds "$seconds" --pid "$pid"
echo "collector CPU: $(ps -o times= -p "$pid") s over the run"
grep -c . "$dir/log" | xargs echo "collector log lines:"
