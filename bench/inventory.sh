#!/bin/sh
# One-shot `kagent inventory --json` beside its peers, measured in the same
# run by bench_run (median of RUNS, 31 unless set; peak RSS from wait4):
# lscpu -J and lsblk -J -b.  kagent-full is the same program with every
# library of every command linked, as kagent was before it linked only
# inventory's: the figures before and after, side by side.
# Goals (issue step 12): peak RSS at most lsblk's, wall time at most
# 1.5 x lscpu's.  Prints each as a ratio with its goal.
set -eu
bin=${1:-build/bin}
runs=${RUNS:-31}
out=$("$bin/bench_run" "$runs" kagent "$bin/kagent inventory --json" \
	kagent-full "$bin/kagent-full inventory --json" \
	lscpu "lscpu -J" lsblk "lsblk -J -b")
echo "$out"
echo "libraries kagent maps: $(ldd "$bin/kagent" | awk '/=>/ { printf "%s ", $1 }')"
echo "$out" | awk '
	$1 != "command" && $1 != "ratio" { wall[$1] = $3; cpu[$1] = $5; rss[$1] = $6 }
	END {
		for (k in wall) if (k ~ /^kagent/) {
			printf "%s: RSS / lsblk %.2f (goal <= 1.00), wall / lscpu %.2f (goal <= 1.50), CPU / lscpu %.2f\n",
				k, rss[k] / rss["lsblk"], wall[k] / wall["lscpu"], cpu[k] / cpu["lscpu"]
		}
	}'
