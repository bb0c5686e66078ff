#!/bin/bash
# kagent fleet --reassign on fixtures/reassign/scale-out.json (--from: the
# collector's /api/clusters/kp/kafka answer, a fourth broker added in its
# own rack, with the slowest link):
#   1. the plan's files and summary exactly as fixtures/reassign/expected
#      (checked by hand: 7 replicas moved, the minimum per topic), every
#      file in kafka-reassign-partitions' documented format and the plan
#      applied by an independent checker (live/lib/kafka_reassign.py):
#      brokers exist, RF kept, racks, balance within one, minimum moves;
#   2. a plan already in DIR refused (exit 1, files unchanged), replaced
#      with --force (a stale step removed); --json's totals;
#   3. --drain 4, applied and checked the same way; a drain that leaves
#      no broker (exit 1, the topic named);
#   4. metadata the collector calls partial refused (exit 1) unless
#      --partial; invalid input exit 2 naming its JSON path; an unknown
#      link speed makes the throttle unknown, said; a balanced cluster
#      writes nothing and says so.
# Usage: bash reassign_plan.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: reassign_plan.sh BUILD_BIN_DIR}
command -v python3 >/dev/null || { echo "FAIL python3 is not installed"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FIX=fixtures/reassign
CHK=live/lib/kafka_reassign.py
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect() { # NAME WANT GOT
	[ "$2" = "$3" ] && ok "$1" || fail "$1: got '$3', expected '$2'"
}
plan() { "$BIN/kagent" fleet --reassign kp "$@"; }
# variant NAME PYTHON: the fixture edited by PYTHON (on d) into $T/NAME.json
variant() {
	python3 -c "import json,sys
d = json.load(open('$FIX/scale-out.json'))
$2
json.dump(d, open('$T/$1.json', 'w'))"
}

# 1. The plan, exactly.
plan --from $FIX/scale-out.json --out "$T/plan" > "$T/out" 2> "$T/err"
expect "exit status" 0 $?
expect "nothing on stderr" "" "$(cat "$T/err")"
expect "the summary" "$(cat $FIX/expected/summary.txt)" "$(sed "s|$T/plan|DIR|" "$T/out")"
expect "the files" "$(cd $FIX/expected && ls *.json)" "$(cd "$T/plan" && ls)"
for f in $FIX/expected/*.json; do
	cmp -s "$f" "$T/plan/${f##*/}" && ok "${f##*/} exact" || fail "${f##*/} differs"
done
python3 $CHK format "$T"/plan/*.json && ok "kafka-reassign-partitions format" ||
	fail "format"
python3 $CHK apply $FIX/scale-out.json "$T/plan" > "$T/apply" && ok "plan applied" ||
	fail "plan applied: $(cat "$T/apply")"
expect "minimum moves" "orders: moves 4 minimum 4
clicks.v2: moves 2 minimum 2
audit_log: moves 1 minimum 1
spread: moves 0 minimum 0" "$(cat "$T/apply")"
# Without --out: the same summary, nothing written.
plan --from $FIX/scale-out.json > "$T/out"
expect "no --out" "not written (no --out DIR)" "$(tail -1 "$T/out")"

# 2. An old plan: refused, then replaced.
touch "$T/plan/07-old.json"
plan --from $FIX/scale-out.json --out "$T/plan" > "$T/out" 2> "$T/err"
expect "existing plan exit" 1 $?
expect "existing plan says" "kagent fleet: $T/plan: a plan is already there (7 files, 01-clicks.v2.json first): --force replaces it" "$(cat "$T/err")"
expect "existing plan untouched" "$(cat $FIX/expected/02-orders.json)" "$(cat "$T/plan/02-orders.json")"
expect "existing plan: no summary" "" "$(cat "$T/out")"
plan --from $FIX/scale-out.json --out "$T/plan" --force --json > "$T/json"
expect "--force exit" 0 $?
expect "--force removes the stale step" "" "$(ls "$T/plan" | grep old)"
expect "--json totals" "7 None 1 62500000 4 False" "$(python3 -c "
import json; d = json.load(open('$T/json')); t = d['totals']
print(t['replicas_moved'], t['bytes_to_copy'], t['steps_of_unknown_size'],
      d['throttle']['bytes_per_s'], d['throttle']['slowest_broker'], d['balanced'])")"
expect "--json steps" "clicks.v2 2000 orders 400000000 audit_log None" "$(python3 -c "
import json; d = json.load(open('$T/json'))
print(' '.join(f\"{s['topic']} {s['bytes_to_copy']}\" for s in d['steps']))")"

# 3. Drains.
plan --from $FIX/scale-out.json --out "$T/drain" --drain 4 > "$T/out"
expect "--drain 4 exit" 0 $?
python3 $CHK apply $FIX/scale-out.json "$T/drain" 4 > "$T/apply" && ok "drain applied" ||
	fail "drain applied: $(cat "$T/apply")"
expect "--drain 4 file" '{"version":1,"partitions":[{"topic":"spread","partition":3,"replicas":[1],"log_dirs":["any"]}]}' "$(cat "$T/drain/01-spread.json")"
variant three "d['brokers'] = d['brokers'][:3]; d['topics'] = d['topics'][:3]"
plan --from "$T/three.json" --drain 3 > "$T/out" 2> "$T/err"
expect "impossible drain exit" 1 $?
expect "impossible drain names the topic" "kagent fleet: cluster kp: topic orders: replication factor 3 needs 3 brokers, 2 are left" "$(cat "$T/err")"
plan --from $FIX/scale-out.json --drain 9 2> "$T/err"
expect "drain of an unknown broker" "2 kagent fleet: cluster kp: --drain 9: no such broker in cluster kp" "$? $(cat "$T/err")"

# 4. Refusals and unknowns.
variant partial "d['state'] = 'partial'; d['why'] = 'broker 3 has not reported'"
plan --from "$T/partial.json" --out "$T/p" > "$T/out" 2> "$T/err"
expect "partial exit" 1 $?
expect "partial says why" "kagent fleet: cluster kp: the collector's metadata is partial (broker 3 has not reported): no plan (--partial plans with what is known)" "$(cat "$T/err")"
expect "partial writes nothing" "" "$(ls "$T/p" 2>/dev/null)"
plan --from "$T/partial.json" --partial > /dev/null
expect "--partial exit" 0 $?
variant badname "d['topics'][1]['name'] = 'clicks/v2'"
plan --from "$T/badname.json" 2> "$T/err"
expect "bad topic name" "2 kagent fleet: $T/badname.json: \$.topics[1]: topic 'clicks/v2' is not a Kafka topic name ([a-zA-Z0-9._-])" "$? $(cat "$T/err")"
variant dup "d['topics'][0]['assignment'][2]['replicas'][1] = 3"
plan --from "$T/dup.json" 2> "$T/err"
expect "duplicate replica" "2 kagent fleet: $T/dup.json: \$.topics[0].assignment[2].replicas[1]: broker 3 twice" "$? $(cat "$T/err")"
printf '{"cluster":' > "$T/trunc.json"
plan --from "$T/trunc.json" 2> /dev/null
expect "truncated JSON exit" 2 $?
variant nonic "d['brokers'][3]['nic_speed_mbps'] = None"
plan --from "$T/nonic.json" > "$T/out"
expect "unknown link" "throttle: unknown: link speed of broker 4 unknown" "$(grep ^throttle "$T/out")"
variant balanced "d['brokers'] = d['brokers'][:3]; d['topics'] = d['topics'][:2]"
plan --from "$T/balanced.json" --out "$T/bal" > "$T/out"
expect "balanced exit" 0 $?
expect "balanced says so" "cluster kp: 3 racks: no two replicas of a partition in one rack
balanced: nothing to move" "$(cat "$T/out")"
expect "balanced writes nothing" "" "$(ls "$T/bal" 2>/dev/null)"
# The collector asked over HTTP: nothing listens on port 1.
plan --collector http://127.0.0.1:1 2> "$T/err"
expect "unreachable collector exit" 2 $?
plan --collector http://127.0.0.1:1 --reassign "two words" 2> "$T/err"
expect "bad cluster name" "2 kagent fleet: --reassign 'two words': not a cluster name (1 to 63 printable ASCII characters, no space)" "$? $(cat "$T/err")"
variant other "d['cluster'] = 'other'"
plan --from "$T/other.json" 2> "$T/err"
expect "another cluster's answer" "2 kagent fleet: $T/other.json: \$.cluster: 'other', where 'kp' was asked for" "$? $(cat "$T/err")"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
