#!/bin/bash
# Disk health, DMI identity and sensors on the emulated boards of run-board,
# with real kernel drivers: QEMU's AHCI disks answer smartctl but not
# libatasmart's SMART commands, so kagent must fall back to smartctl and say
# so; the NVMe controller answers the health log through the admin ioctl and
# exposes a hwmon temperature that libsensors reads.  smartctl and the
# guest's /sys are the references; one boot per board.
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

# Outputs go to files first and are printed as @@ sections at the end, so
# that exit codes (in @@RC) stay out of the JSON.
guest_common='kagent inventory --json >/tmp/inv.json; echo "inv_rc=$?" >>/tmp/rc
kagent smart --device /dev/sda --json >/tmp/sda.json; echo "sda_rc=$?" >>/tmp/rc
kagent smart --device /dev/sda >/tmp/sda.txt; echo "sda_text_rc=$?" >>/tmp/rc
smartctl --json=c -a /dev/sda >/tmp/sda.smartctl.json
for h in /sys/class/hwmon/hwmon*; do [ -e "$h/name" ] && echo "$(cat $h/name) $(cat $h/temp1_input 2>/dev/null)"; done >/tmp/hwmon'
guest_nvme='kagent smart --device /dev/nvme0 --json >/tmp/nvme.json; echo "nvme_rc=$?" >>/tmp/rc
kagent smart --device /dev/nvme0 >/tmp/nvme.txt; echo "nvme_text_rc=$?" >>/tmp/rc
kagent smart --device /dev/nvme0n1 --json >/tmp/nvme0n1.json; echo "nvme0n1_rc=$?" >>/tmp/rc
smartctl --json=c -a /dev/nvme0 >/tmp/nvme.smartctl.json'
guest_print='echo @@RC; cat /tmp/rc; for f in inv sda sda.txt sda.smartctl nvme nvme.txt nvme0n1 nvme.smartctl hwmon; do
[ -e /tmp/$f.json ] && { echo "@@$f"; cat /tmp/$f.json; echo; }; [ -e /tmp/$f ] && { echo "@@$f"; cat /tmp/$f; }; done; echo @@END'

boot() {  # boot BOARD GUEST-COMMANDS
	"$board_tool" "$1" -b "$bin/kagent" -- "$2
$guest_print" >"$work/$1.out"
	for rc in $(section "$work/$1.out" RC); do
		[ "${rc#*=}" = 0 ] || { echo "FAIL $1: $rc"; cat "$work/$1.out"; exit 1; }
	done
	section "$work/$1.out" inv >"$work/$1.inv.json"
	section "$work/$1.out" sda >"$work/$1.sda.json"
	section "$work/$1.out" sda.smartctl >"$work/$1.sda.smartctl.json"
	echo "--- $1: kagent smart --device /dev/sda"; section "$work/$1.out" sda.txt
	echo "--- $1: kagent smart --device /dev/sda --json"; cat "$work/$1.sda.json"
}

# The health of a SATA disk read through smartctl after libatasmart refused.
check_sata() {  # check_sata BOARD DISK
	local j=$work/$1.inv.json
	expect "$j" "$1 $2 health" ".disks[]|select(.name==\"$2\")|.health|[.verdict,.source,.reason]" \
		'["pass","smartctl","libatasmart: Operation not supported; smartctl: smart_status.passed=true"]'
	expect "$j" "$1 $2 smart facts from smartctl" ".disks[]|select(.name==\"$2\")|.smart|[.protocol,.smart_status_passed]" '["ATA",true]'
}

# kagent smart --device agrees with the inventory and with smartctl itself.
check_sda_cli() {  # check_sda_cli BOARD
	local s=$work/$1.sda.json ref=$work/$1.sda.smartctl.json
	expect "$s" "$1 kagent smart sda health" '.health' \
		"$(jq -c '.disks[]|select(.name=="sda")|.health' "$work/$1.inv.json")"
	expect "$s" "$1 kagent smart sda smart_status = smartctl's" '.smart_status_passed' "$(jq -c .smart_status.passed "$ref")"
	expect "$s" "$1 kagent smart sda serial = smartctl's" '.serial' "$(jq -c .serial_number "$ref")"
	expect "$s" "$1 kagent smart sda attribute ids = smartctl's" '[.attributes[].id]' "$(jq -c '[.ata_smart_attributes.table[].id]' "$ref")"
	expect "$s" "$1 kagent smart sda power_on_hours = smartctl's" '.power_on_hours' "$(jq -c .power_on_time.hours "$ref")"
}

check_board() {  # check_board BOARD VENDOR PRODUCT SERIAL ASSET
	expect "$work/$1.inv.json" "$1 board" '.board|[.vendor,.product,.serial,.asset_tag]' "[\"$2\",\"$3\",\"$4\",\"$5\"]"
}

boot zk "$guest_common"
check_sata zk sda
check_sda_cli zk
check_board zk QEMU-Board zk-node ZK0001 rack-a
expect "$work/zk.inv.json" "zk sensors: none (no hwmon on this board)" '[.sensors, .sensors_error]' \
	'[[],"no hardware monitoring sensors (no hwmon device)"]'

boot broker "$guest_common
$guest_nvme"
j=$work/broker.inv.json
for d in sda sdb sdc sdd; do check_sata broker $d; done
check_sda_cli broker
check_board broker QEMU-Board kafka-broker KB0001 rack-b
section "$work/broker.out" nvme >"$work/nvme.json"
section "$work/broker.out" nvme.smartctl >"$work/nvme.smartctl.json"
echo "--- broker: kagent smart --device /dev/nvme0"; section "$work/broker.out" nvme.txt
echo "--- broker: kagent smart --device /dev/nvme0 --json"; cat "$work/nvme.json"
nvme_temp=$(jq -c '.nvme_smart_health_information_log.temperature' "$work/nvme.smartctl.json")
expect "$j" "broker nvme0n1 health" '.disks[]|select(.name=="nvme0n1")|.health|[.verdict,.source,.reason]' \
	'["pass","nvme","critical_warning=0x00"]'
expect "$j" "broker nvme0n1 temperature = smartctl's" '.disks[]|select(.name=="nvme0n1")|.smart.temperature_c' "$nvme_temp"
expect "$j" "broker nvme0n1 log = smartctl's" \
	'.disks[]|select(.name=="nvme0n1")|.smart|[.critical_warning,.available_spare,.spare_threshold,.percentage_used,.media_errors,.power_on_hours]' \
	"$(jq -c '.nvme_smart_health_information_log|[.critical_warning,.available_spare,.available_spare_threshold,.percentage_used,.media_errors,.power_on_hours]' "$work/nvme.smartctl.json")"
expect "$work/nvme.json" "broker kagent smart nvme0 health" '.health' \
	"$(jq -c '.disks[]|select(.name=="nvme0n1")|.health' "$j")"
expect "$work/nvme.json" "broker kagent smart nvme0 temperature = smartctl's" '.temperature_c' "$nvme_temp"
# A namespace given by the user is served by its controller's log.
section "$work/broker.out" nvme0n1 >"$work/nvme0n1.json"
expect "$work/nvme0n1.json" "broker kagent smart nvme0n1 = nvme0" '[.health.source,.critical_warning,.temperature_c]' \
	"$(jq -c '[.health.source,.critical_warning,.temperature_c]' "$work/nvme.json")"
# The hwmon reading, in millidegrees in the guest's sysfs, through libsensors.
hw=$(section "$work/broker.out" hwmon | awk '$1=="nvme"{print $2; exit}')
[ -n "$hw" ] || { echo "FAIL broker: no nvme hwmon device in the guest"; fails=$((fails + 1)); }
expect "$j" "broker Composite sensor = guest hwmon temp1_input/1000" \
	'[.sensors[]|select((.chip|startswith("nvme")) and .label=="Composite")|[.kind,.value]][0]' \
	"[\"temperature\",$(awk -v v="${hw:-0}" 'BEGIN{print v/1000}')]"

[ "$fails" -eq 0 ] || { echo "$fails board check(s) failed"; exit 1; }
echo "all board checks passed"
