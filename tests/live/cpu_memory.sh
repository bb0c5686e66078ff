#!/bin/bash
# kagent's CPU and memory inventory of this host against nproc and
# /proc/meminfo, read independently.  $1: the directory holding kagent.
set -euo pipefail

bin=${1:?usage: cpu_memory.sh BUILD_BIN_DIR}
json=$("$bin/kagent" inventory --json)

logical=$(jq -r '.cpu.logical' <<<"$json")
online=$(jq -r '.cpu.online' <<<"$json")
total=$(jq -r '.memory.total_bytes' <<<"$json")
nproc_all=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc --all)
nproc_online=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
memtotal_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)

fail=0
check() {
	echo "$1: kagent $2, reference $3"
	if [ "$2" != "$3" ]; then
		echo "MISMATCH: $1" >&2
		fail=1
	fi
}
check "cpu.logical vs nproc --all" "$logical" "$nproc_all"
check "cpu.online vs nproc" "$online" "$nproc_online"
check "memory.total_bytes vs MemTotal*1024" "$total" "$((memtotal_kb * 1024))"
exit $fail
