#!/bin/bash
# kagent inventory --json against lsblk on this machine: the same disks and
# volumes (loop, ram and zram left out, partitions left out), and for each
# the same size, rotational flag and sector sizes.
set -euo pipefail
bin=${1:?usage: block_lsblk.sh BUILD_BIN_DIR}
command -v jq >/dev/null || { echo "FAIL: jq not installed"; exit 1; }
command -v lsblk >/dev/null || { echo "FAIL: lsblk not installed"; exit 1; }

ours=$("$bin/kagent" inventory --json | jq -r '
	(.disks + .volumes)[] |
	"\(.name) \(.size_bytes) \(if .rotational then 1 else 0 end) \(.logical_sector) \(.physical_sector)"' | sort)
theirs=$(lsblk -b -J -o NAME,SIZE,ROTA,TYPE,LOG-SEC,PHY-SEC | jq -r '
	[.blockdevices[] | recurse(.children[]?)] | unique_by(.name)[] |
	select(.type != "part") |
	select(.name | test("^(loop|ram|zram)[0-9]") | not) |
	"\(.name) \(.size) \(if .rota == true or .rota == "1" then 1 else 0 end) \(."log-sec") \(."phy-sec")"' | sort)

echo "kagent (name size rotational log-sec phy-sec):"
echo "$ours"
echo "lsblk:"
echo "$theirs"
if [ -z "$ours" ]; then
	echo "FAIL: kagent listed no disk"
	exit 1
fi
if [ "$ours" != "$theirs" ]; then
	echo "FAIL: differences:"
	diff <(echo "$ours") <(echo "$theirs") || true
	exit 1
fi
echo "PASS: $(echo "$ours" | wc -l) device(s) agree"
