#!/bin/bash
# kagent check's output as a monitoring server reads it, on every fixture
# host (tests/fixtures/check-*, read with --root) and on this machine:
# each output passes a strict reading of the monitoring-plugins grammar
# (live/lib/plugin_output.py: status line, state = exit code, perfdata
# syntax, no label twice), the text's perfdata is the --json's, exit
# codes 0, 1, 2 and 3 each come out where they should with the exact
# first line, and errors are UNKNOWN lines on stdout with nothing on
# stderr.
# Usage: bash check_plugin.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: check_plugin.sh BUILD_BIN_DIR}
KAGENT=$BIN/kagent
CHECKER=live/lib/plugin_output.py
fails=0 runs=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for need in jq python3; do
	command -v $need >/dev/null || { echo "FAIL: $need is not installed"; exit 1; }
done
D=$(mktemp -d /tmp/kagent-plugin-XXXXXX)
trap 'rm -rf "$D"' EXIT

# One run: the grammar, and (unless SAME_JSON=0) the text's perfdata
# against --json's.
judge() { # name args...
	local name=$1 out rc perf jperf
	shift
	out=$("$KAGENT" check "$@" 2>$D/err)
	rc=$?
	runs=$((runs + 1))
	[ -s $D/err ] && fail "$name: stderr: $(cat $D/err)"
	perf=$(python3 $CHECKER $rc KAGENT <<<"$out") || { echo "$perf"; fail "$name: plugin output"; return; }
	[ "${SAME_JSON:-1}" = 0 ] && { echo "ok $name: exit $rc"; return; }
	jperf=$("$KAGENT" check "$@" --json | jq -r '.perfdata[] |
		"\(.label)=\(.value)\(.uom);\(.warn // "");\(.crit // "");\(.min // "");\(.max // "")"' |
		sed -E 's/;+$//')
	[ "$perf" = "$jperf" ] || { fail "$name: perfdata of text and --json differ"; diff <(echo "$perf") <(echo "$jperf"); }
	echo "ok $name: exit $rc, $(grep -c . <<<"$perf") perfdata"
}

for h in fixtures/check-*/; do
	h=${h%/}
	for conf in $h/kagent*.conf; do
		[ -f "$conf" ] || continue
		case $conf in *-bad.conf | *-norole.conf) continue ;; esac
		judge "$(basename $h)/$(basename $conf)" --config $conf --root $h
		SAME_JSON=0 judge "$(basename $h)/$(basename $conf) --unknown unknown" --config $conf --root $h --unknown unknown
	done
done
# This machine, both roles: its disks, NICs, sensors and SMART as they are.
printf '[host]\nroles = zookeeper,kafka\n' > $D/both.conf
judge "this machine" --config $D/both.conf
judge "this machine, skip disk.health" --config $D/both.conf --skip disk.health
echo "$runs runs judged"

first() { # want-rc want-line args...
	local want_rc=$1 want=$2 out rc
	shift 2
	out=$("$KAGENT" check "$@" 2>$D/err)
	rc=$?
	out=$(head -1 <<<"$out")
	out=${out%% | *}
	echo "exit $rc: $out"
	[ "$rc" = "$want_rc" ] || fail "exit $rc, want $want_rc: $*"
	[ "$out" = "$want" ] || fail "first line, want: $want"
	[ -s $D/err ] && fail "stderr: $(cat $D/err)"
}
fx() { echo "--config fixtures/$1/kagent.conf --root fixtures/$1"; }
first 0 "KAGENT OK - 0 warn, 0 fail: all 35 checks pass" $(fx check-kafka-4x4tb)
first 1 "KAGENT WARNING - 1 warn, 0 fail: kafka.memory 14.9 GiB MemTotal" $(fx check-kafka-mem16g)
# The fixtures hold no /sys/block/*/stat and share dataLogDir with dataDir:
# the fsync and dedicated-device checks are test_flush's, skipped here.
ZKDISK="--skip zookeeper.disk.fsync --skip zookeeper.disk.dedicated"
first 2 "KAGENT CRITICAL - 0 warn, 2 fail: zookeeper.memory 1004.4 MiB MemTotal, zookeeper.live not running" $(fx check-zk-mem1g) $ZKDISK
first 2 "KAGENT CRITICAL - 0 warn, 1 fail: kafka.nic.speed eno3 1 Gb/s" $(fx check-kafka-nic1g)
first 0 "KAGENT OK - 0 warn, 0 fail: all 9 checks pass" $(fx check-zk-ssd8g) --skip zookeeper.live $ZKDISK
first 3 "KAGENT UNKNOWN - kagent check: --skip 'zookeeper.alive': no such check (kagent check --list names them)" $(fx check-zk-ssd8g) --skip zookeeper.alive
first 3 "KAGENT UNKNOWN - kagent check: no role: set roles in [host] of fixtures/check-sec-good/kagent-norole.conf or pass --role" \
	--config fixtures/check-sec-good/kagent-norole.conf --root fixtures/check-sec-good
first 3 "KAGENT UNKNOWN - kagent check: -t/--timeout '0': expected whole seconds from 1 to 3600" -t 0

[ $fails = 0 ] && echo PASS || { echo "$fails failure(s)"; exit 1; }
