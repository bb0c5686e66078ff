#!/bin/bash
# kagentd with its spool on a full file system (a 256 KiB tmpfs this test
# mounts and fills; as root no mode bit stops a write) and no collector:
# every report it cannot spool is counted in `kagent status`, the episode
# is logged once when it starts and once when it ends, not per report.
set -u
BIN=$1
T=$(mktemp -d)
cleanup() {
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	umount "$T/spool" 2>/dev/null
	rm -rf "$T"
}
PID=
trap cleanup EXIT
chmod 755 "$T"
mkdir "$T/spool" "$T/run"
if ! mount -t tmpfs -o size=256k,mode=0755 tmpfs "$T/spool" 2>/dev/null; then
	echo "SKIP cannot mount a tmpfs here"
	exit 0
fi
[ "$(id -u)" -ne 0 ] || chown nobody "$T/run"
cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka
cluster = test
rack = r1
[agent]
collector = 127.0.0.1:1
insecure = yes
interval = 1
health_interval = 1
spool = $T/spool
socket = $T/run/kagent.sock
user = nobody
host_id = full-1
root = $PWD/fixtures/host-broker
CONF
# Full before kagentd starts: its state file may still be written (the
# filler leaves less than a page), no report frame may.  A dot file is
# none of the spool's, and not counted as a damaged one.
dd if=/dev/zero of="$T/spool/.filler" bs=4k 2>/dev/null
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/run/kagent.sock" ] && break; sleep 0.1; done
sleep 3.5
fail=0
S=$("$BIN/kagent" status --socket "$T/run/kagent.sock" --json)
echo "status: $(echo "$S" | jq -c '{last_report_seq, spool, warnings}')"
python3 - "$S" <<'PY' || fail=1
import json, sys
d = json.loads(sys.argv[1])
sp = d["spool"]
want = [("spool.lost >= 2 (a report a second for 3.5 s)", sp["lost"] >= 2),
        ("spool.reports == 0", sp["reports"] == 0),
        ("spool.failing", sp["failing"] is True),
        ("spool.error names ENOSPC", "No space left on device" in (sp["error"] or "")),
        ("a warning says reports are lost",
         any(w.startswith("the spool cannot be written (") and
             w.endswith("): %d report(s) lost" % sp["lost"]) for w in d["warnings"]))]
for name, ok in want:
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(0 if all(ok for _, ok in want) else 1)
PY
n=$(grep -c "^kagentd: spool: report seq [0-9]* lost: .*No space left on device; reports are dropped, and counted, until the spool takes writes again$" "$T/log")
echo "'lost' log lines: $n (want 1)"
[ "$n" = 1 ] || fail=1
rm "$T/spool/.filler"
sleep 2.5
S=$("$BIN/kagent" status --socket "$T/run/kagent.sock" --json)
echo "after freeing: $(echo "$S" | jq -c '{last_report_seq, spool}')"
echo "$S" | jq -e '.spool.failing == false and .spool.reports >= 1' > /dev/null ||
	{ echo "FAIL the spool did not take reports again"; fail=1; }
n=$(grep -c "^kagentd: spool: writable again; [0-9]* report(s) lost since kagentd started$" "$T/log")
echo "'writable again' log lines: $n (want 1)"
[ "$n" = 1 ] || fail=1
TXT=$("$BIN/kagent" status --socket "$T/run/kagent.sock")
echo "$TXT" | grep -E "^(spool damage|WARNING)"
echo "$TXT" | grep -qE "^spool damage     [0-9]+ lost unwritten, 0 corrupt skipped$" ||
	{ echo "FAIL text status spool damage line"; fail=1; }
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/log"; }
exit $fail
