#!/bin/sh
# One `kagent inventory --json` against `lscpu -J; lsblk -J` in the same run.
# Targets (issue step 1): under 5 ms and under 4 MiB peak RSS.
set -eu
bin=${1:-build/bin}
runs=${RUNS:-100}
"$bin/bench_run" "$runs" kagent "$bin/kagent inventory --json" \
	true /bin/true \
	lscpu+lsblk "lscpu -J; lsblk -J"
