#!/bin/bash
# `kagent inventory --json` on the emulated boards of run-board (real kernel
# drivers: AHCI SATA, NVMe, e1000, virtio-net, 2-socket topology, SMBIOS),
# checked against each board's known shape and the guest's own /proc, /sys.
set -euo pipefail
bin=$1
board_tool=${KAGENT_RUN_BOARD:-$(dirname "$0")/run-board}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fails=0

section() { awk -v s="@@$2" '$0==s{on=1;next} /^@@/{on=0} on' "$1"; }

expect() {  # expect FILE DESCRIPTION JQ-EXPR EXPECTED
	local got
	got=$(jq -c "$3" "$1")
	if [ "$got" = "$4" ]; then echo "ok   $2: $got"
	else echo "FAIL $2: got $got, expected $4"; fails=$((fails + 1)); fi
}

guest='kagent inventory --json >/tmp/inv.json; echo "rc=$?"; echo @@INV; cat /tmp/inv.json;
echo @@MEMTOTAL; awk "/^MemTotal:/{print \$2*1024}" /proc/meminfo;
echo @@NCPU; ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l;
echo @@CORES; for c in /sys/devices/system/cpu/cpu[0-9]*/topology; do echo "$(cat $c/physical_package_id):$(cat $c/core_id)"; done | sort -u | wc -l;
echo @@SIZES; for d in /sys/block/*; do echo "$(basename $d) $(( $(cat $d/size) * 512 ))"; done'

run() {  # run BOARD
	"$board_tool" "$1" -b "$bin/kagent" -- "$guest" >"$work/$1.out"
	grep -q '^rc=0$' "$work/$1.out" || { echo "FAIL $1: kagent exited non-zero"; cat "$work/$1.out"; exit 1; }
	section "$work/$1.out" INV >"$work/$1.json"
	# Values the guest's kernel reports itself.
	expect "$work/$1.json" "$1 memory.total_bytes = guest MemTotal" .memory.total_bytes "$(section "$work/$1.out" MEMTOTAL)"
	expect "$work/$1.json" "$1 cpu.logical = guest cpu dirs" .cpu.logical "$(section "$work/$1.out" NCPU | tr -d ' ')"
	expect "$work/$1.json" "$1 cpu.cores = guest (package, core) pairs" .cpu.cores "$(section "$work/$1.out" CORES | tr -d ' ')"
	while read -r name bytes; do
		expect "$work/$1.json" "$1 $name size = guest sysfs" "[.disks[]|select(.name==\"$name\")|.size_bytes][0]" "$bytes"
	done < <(section "$work/$1.out" SIZES)
}

run zk
j=$work/zk.json
expect "$j" "zk cpu" '.cpu|[.sockets,.cores,.threads_per_core,.logical,.online]' '[1,2,1,2,2]'
expect "$j" "zk installed memory" .memory.installed_bytes "$((2 * 1024 * 1024 * 1024))"
expect "$j" "zk e1000" '.nics[]|select(.name=="eth0")|[.driver,.speed_mbps,.duplex,.virtual,.operstate]' '["e1000",1000,"full",false,"up"]'
expect "$j" "zk lo is virtual" '.nics[]|select(.name=="lo")|.virtual' 'true'
expect "$j" "zk disks" '[.disks[]|.name]' '["sda"]'
expect "$j" "zk ssd" '.disks[0]|[.size_bytes,.rotational,.model,.serial,.transport,.logical_sector]' \
	"[$((480 * 1024 * 1024 * 1024)),false,\"SAMSUNG_MZ7LH480\",\"SSD0001\",\"sata\",512]"

run broker
j=$work/broker.json
# QEMU is asked for 2 sockets x 2 cores x 2 threads, but its TCG CPU model
# does not advertise SMT: the guest kernel numbers core ids 0-3 per package
# with one thread each, and the inventory reports what the kernel sees.
expect "$j" "broker cpu" '.cpu|[.sockets,.cores,.threads_per_core,.logical,.online]' '[2,8,1,8,8]'
expect "$j" "broker installed memory" .memory.installed_bytes "$((4 * 1024 * 1024 * 1024))"
expect "$j" "broker virtio-net" '.nics[]|select(.name=="eth0")|[.driver,.speed_mbps,.duplex,.virtual]' '["virtio_net",10000,"full",false]'
expect "$j" "broker disks" '[.disks[]|.name]' '["nvme0n1","sda","sdb","sdc","sdd"]'
# The guest probes its SATA ports asynchronously: which serial becomes sda
# varies from boot to boot, so the disks are compared in serial order.
expect "$j" "broker hdds" '[.disks[]|select(.transport=="sata")]|sort_by(.serial)|map([.size_bytes,.rotational,.model,.serial])' \
	"[[4294967296000,true,\"ST4000NM0035-1V4\",\"HDD0001\"],[4294967296000,true,\"ST4000NM0035-1V4\",\"HDD0002\"],[4294967296000,true,\"ST4000NM0035-1V4\",\"HDD0003\"],[4294967296000,true,\"ST4000NM0035-1V4\",\"HDD0004\"]]"
expect "$j" "broker nvme" '.disks[]|select(.name=="nvme0n1")|[.size_bytes,.rotational,.serial,.transport]' \
	"[$((480 * 1024 * 1024 * 1024)),false,\"NVME0001\",\"nvme\"]"

[ "$fails" -eq 0 ] || { echo "$fails board check(s) failed"; exit 1; }
echo "all board checks passed"
