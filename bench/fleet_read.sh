#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The collector's fleet reads with and without the fleet cache
# (collector/fleet_cache.c): GET /api/fleet and GET /metrics over a store
# of 1 000 and 10 000 hosts (bench/fleet_fill: this machine's inventory,
# twelve checks, clusters of 50 brokers), answered by this build's
# kcollectord and by one built without the cache (BASE_BINDIR, e.g. a
# build of the previous release), each on its own copy of the same
# database, one after the other.  Prints the median of REPS reads of each
# (curl's time_total, after one read that fills the cache), their ratio,
# and the cache's bytes per host (mallinfo2, from fleet_fill --mem).
#   [HOSTS="1000 10000"] [REPS=7] bench/fleet_read.sh BASE_BINDIR [BINDIR]
set -eu
base=${1:?usage: bench/fleet_read.sh BASE_BINDIR [BINDIR]}
bin=${2:-build/bin}
hosts=${HOSTS:-1000 10000}
reps=${REPS:-7}
dir=$(mktemp -d)
chmod 755 "$dir"
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT

port() {
	python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'
}

# Median of REPS reads of URL, in milliseconds.
median_ms() {
	local i
	for i in $(seq "$reps"); do
		curl -sf -o /dev/null -w '%{time_total}\n' "$1"
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] * 1000 }'
}

# start BINDIR DB: a collector on DB; sets pid and url.
start() {
	local lp hp i=0
	read -r lp hp < <(port)
	# Started as root, the collector becomes nobody.
	"$1/kcollectord" --insecure --listen "127.0.0.1:$lp" \
		--http "127.0.0.1:$hp" --db "$2" --user nobody 2>"$dir/log" &
	pid=$!
	url=http://127.0.0.1:$hp
	until curl -sf "$url/api/fleet" >/dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] && kill -0 "$pid" 2>/dev/null || { cat "$dir/log"; exit 1; }
		sleep 0.1
	done
}

stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

printf '%-7s %-13s %12s %12s %8s\n' hosts read "without (ms)" "with (ms)" ratio
for n in $hosts; do
	rm -f "$dir"/*.db*
	"$bin/fleet_fill" "$dir/fill.db" "$n" --mem >"$dir/fill.out"
	declare -A ms=()
	for which in base new; do
		b=$bin
		[ $which = base ] && b=$base
		cp "$dir/fill.db" "$dir/$which.db"
		chmod 666 "$dir/$which.db"
		start "$b" "$dir/$which.db"
		curl -sf -o /dev/null "$url/metrics"
		ms[$which,fleet]=$(median_ms "$url/api/fleet")
		ms[$which,metrics]=$(median_ms "$url/metrics")
		stop
	done
	for r in fleet metrics; do
		path=/api/fleet
		[ $r = metrics ] && path=/metrics
		printf '%-7s %-13s %12s %12s %8s\n' "$n" "$path" \
			"${ms[base,$r]}" "${ms[new,$r]}" \
			"$(awk -v a="${ms[base,$r]}" -v b="${ms[new,$r]}" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')"
	done
	sed 's/^/  /' "$dir/fill.out"
	unset ms
done
