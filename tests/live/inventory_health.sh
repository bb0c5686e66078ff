#!/bin/bash
# `kagent inventory` on this machine, whose disks and board the kernel
# describes itself: every physical disk has a health verdict with a reason
# (lsblk and the transport say which), sensors are an empty list when
# /sys/class/hwmon holds nothing, and board fields are null when the kernel
# exposes no DMI.  Nothing is skipped: what the machine lacks is asserted.
set -euo pipefail
bin=$1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fails=0

expect() {  # expect DESCRIPTION GOT EXPECTED
	if [ "$2" = "$3" ]; then echo "ok   $1: $2"
	else echo "FAIL $1: got $2, expected $3"; fails=$((fails + 1)); fi
}

"$bin/kagent" inventory --json >"$work/inv.json"
"$bin/kagent" inventory >"$work/inv.txt"

# The reason expected for a disk of this transport when SMART cannot be
# read here; a SATA/NVMe/SAS disk would need a live SMART read to judge.
reason_for() {
	case "$1" in
	virtio) echo "virtio disks have no SMART" ;;
	mmc) echo "mmc devices have no SMART" ;;
	"") echo "transport unknown: no SMART source" ;;
	*) echo "" ;;
	esac
}

# Every whole disk lsblk lists but loop, ram and zram, as the block probe
# does; disks[] holds the physical ones (type disk), volumes[] the rest.
n=0
for name in $(jq -r '.disks[].name' "$work/inv.json"); do
	n=$((n + 1))
	tran=$(jq -r ".disks[]|select(.name==\"$name\")|.transport // \"\"" "$work/inv.json")
	want=$(reason_for "$tran")
	health=$(jq -c ".disks[]|select(.name==\"$name\")|.health" "$work/inv.json")
	if [ -z "$want" ]; then
		# A disk with SMART: the verdict must be one of the four and
		# name a source or a reason.
		expect "$name ($tran) has a verdict and a reason" \
			"$(jq -r '(.verdict|test("^(pass|warn|fail|unknown)$")) and ((.reason // "") != "")' <<<"$health")" true
	else
		expect "$name ($tran) health" "$health" "{\"verdict\":\"unknown\",\"reason\":\"$want\",\"source\":null}"
	fi
	expect "$name text line" "$(grep -c "^health of $name: " "$work/inv.txt")" 1
done
expect "disks in the inventory = lsblk's disks" "$(jq -r '[.disks[].name]|join(" ")' "$work/inv.json")" \
	"$(lsblk -dn -o NAME,TYPE | awk '$2=="disk" && $1 !~ /^(loop|ram|zram)[0-9]/{print $1}' | sort | paste -sd' ')"
[ "$n" -gt 0 ] || { echo "FAIL: no disk listed"; fails=$((fails + 1)); }

if [ -z "$(ls -A /sys/class/hwmon 2>/dev/null)" ]; then
	expect "no hwmon: sensors" "$(jq -c '[.sensors, .sensors_error]' "$work/inv.json")" \
		'[[],"no hardware monitoring sensors (no hwmon device)"]'
else
	expect "hwmon present: sensors listed" "$(jq '.sensors|length > 0' "$work/inv.json")" true
fi

if [ ! -d /sys/class/dmi/id ]; then
	expect "no DMI: board fields" "$(jq -c '.board|[.vendor,.product,.serial,.bios_version,.asset_tag]' "$work/inv.json")" \
		'[null,null,null,null,null]'
	expect "no DMI: text" "$(grep '^BOARD' "$work/inv.txt")" "BOARD   - -, serial -, bios -, asset tag -"
else
	expect "DMI: vendor = sys_vendor" "$(jq -r '.board.vendor // ""' "$work/inv.json")" \
		"$(cat /sys/class/dmi/id/sys_vendor)"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all inventory health checks passed"
