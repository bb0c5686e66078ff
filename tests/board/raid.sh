#!/bin/bash
# Disks behind a RAID controller on QEMU's emulated MegaRAID SAS 2108
# (megasas-gen2, Linux's megaraid_sas driver): one SCSI disk behind it with
# the vendor, product and serial QEMU is told to give it.  smartctl's scan
# lists it as `-d megaraid,0 /dev/bus/N` (N: the controller's SCSI host);
# kagent must find it, read it through that type and show it as a member
# of sdb, the controller's first logical disk (sda is the board's AHCI
# disk), with QEMU's model and serial, in `kagent inventory --json`, in
# `kagent check` (disk.health, instance sdb/megaraid,0) and in
# `kagent smart --device /dev/bus/N --type megaraid,0`.  kagent check gets
# 300 s: under TCG a whole check run takes longer than its default 10 s.
set -euo pipefail
bin=$1
board_tool=${KAGENT_RUN_BOARD:-$(dirname "$0")/run-board}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fails=0

section() { awk -v s="@@$2" '$0==s{on=1;next} /^@@/{on=0} on' "$1"; }
expect() {  # expect DESCRIPTION GOT EXPECTED
	if [ "$2" = "$3" ]; then echo "ok   $1: $2"
	else echo "FAIL $1: got $2, expected $3"; fails=$((fails + 1)); fi
}

truncate -s 64M "$work/d0.img"
qemu="-device megasas-gen2,id=raid0"
qemu="$qemu -drive if=none,id=rd0,file=$work/d0.img,format=raw"
qemu="$qemu -device scsi-hd,bus=raid0.0,drive=rd0,vendor=QEMU,product=KAGENT-RAID-0,serial=KRAID0001"

guest="mkdir -p /etc
cat >/etc/kagent.conf <<CONF
[host]
roles = kafka
CONF
host=\$(readlink /sys/block/sdb/device); host=\${host##*/}; host=\${host%%:*}
echo @@host; echo \$host
echo @@inventory; kagent inventory --json
echo @@check; kagent check --config /etc/kagent.conf --timeout 300 --json
echo @@smart; kagent smart --device /dev/bus/\$host --type megaraid,0 --json
echo @@END"

"$board_tool" zk -b "$bin/kagent" -b "$bin/kagent-full" -m megaraid_sas -q "$qemu" -- "$guest" >"$work/out"
host=$(section "$work/out" host)
section "$work/out" inventory >"$work/inv.json"
section "$work/out" check >"$work/check.json"
section "$work/out" smart >"$work/smart.json"
echo "--- guest: the controller is SCSI host ${host:-none}"

m=$(jq -c '.disks[]|select(.name=="sdb")|.raid_members' "$work/inv.json")
echo "--- sdb's raid_members: $m"
expect "members of sdb" "$(jq -r 'length' <<<"$m")" 1
expect "device type" "$(jq -r '.[0].device_type' <<<"$m")" "megaraid,0"
expect "path" "$(jq -r '.[0].path' <<<"$m")" "/dev/bus/$host"
expect "model (QEMU's vendor and product)" "$(jq -r '.[0].model' <<<"$m")" "QEMU KAGENT-RAID-0"
expect "serial" "$(jq -r '.[0].serial' <<<"$m")" "KRAID0001"
expect "health source" "$(jq -r '.[0].health.source' <<<"$m")" "smartctl"
expect "smartctl's device type" "$(jq -r '.[0].smart.device_type' <<<"$m")" "megaraid,0"
expect "members of the other disks" \
	"$(jq -c '[.disks[]|select(.name!="sdb")|.raid_members]|map(select(. != null))' "$work/inv.json")" "[]"

c=$(jq -c '[.checks[]|select(.id=="disk.health" and .instance=="sdb/megaraid,0")]' "$work/check.json")
echo "--- disk.health of the member: $c"
expect "disk.health results for sdb/megaraid,0" "$(jq -r 'length' <<<"$c")" 1
expect "its message names the node" \
	"$(jq -r '.[0].message|test(" on /dev/bus/'"$host"' \\(smartctl\\)$")' <<<"$c")" true

expect "kagent smart --type: model" "$(jq -r .model "$work/smart.json")" "QEMU KAGENT-RAID-0"
expect "kagent smart --type: serial" "$(jq -r .serial "$work/smart.json")" "KRAID0001"
expect "kagent smart --type: device type" "$(jq -r .device_type "$work/smart.json")" "megaraid,0"

[ "$fails" -eq 0 ] || { echo "$fails board check(s) failed"; cat "$work/out"; exit 1; }
echo "all board checks passed"
