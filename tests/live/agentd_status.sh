#!/bin/bash
# kagentd with its collector on a closed port: reports pile up in the spool,
# `kagent status --json` shows them and the connection retrying; once it is
# stopped, `kagent status` says so and exits 3.
set -u
BIN=$1
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$T"' EXIT
mkdir "$T/spool"
# Port 1 (tcpmux) is closed on a test machine: connect is refused.
cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka,zookeeper
cluster = test
rack = r1
[agent]
collector = 127.0.0.1:1
interval = 1
health_interval = 1
spool = $T/spool
socket = $T/kagent.sock
host_id = test-1
root = $PWD/fixtures/host-broker
CONF
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/kagent.sock" ] && break; sleep 0.1; done
sleep 2.5
OUT=$("$BIN/kagent" status --socket "$T/kagent.sock" --json)
echo "status: $OUT"
fail=0
python3 - "$OUT" <<'PY' || fail=1
import json, sys
d = json.loads(sys.argv[1])
want = [("host_id", d["host_id"] == "test-1"),
        ("collector", d["collector"] == "127.0.0.1:1"),
        ("connection backoff/connecting", d["connection"] in ("backoff", "connecting")),
        ("last_report_seq >= 1", d["last_report_seq"] >= 1),
        ("last_sent_seq == 0 (nothing reached a collector)", d["last_sent_seq"] == 0),
        ("last_acked_seq == 0", d["last_acked_seq"] == 0),
        ("spool reports >= 1", d["spool"]["reports"] >= 1),
        ("spool reports == last_report_seq", d["spool"]["reports"] == d["last_report_seq"]),
        ("verdict warn (PLAINTEXT listener, no authorizer)", d["verdict"] == "warn"),
        ("os.swappiness listed", any(c["id"] == "os.swappiness" for c in d["checks"]))]
bad = [name for name, ok in want if not ok]
for name, ok in want:
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(1 if bad else 0)
PY
ls "$T/spool" | grep -c '\.frame$' | sed 's/^/frames on disk: /'
kill -TERM $PID
wait $PID
rc=$?
echo "kagentd exit status after SIGTERM: $rc (want 0)"
[ $rc -eq 0 ] || fail=1
[ -e "$T/kagent.sock" ] && { echo "FAIL socket left behind"; fail=1; }
OUT=$("$BIN/kagent" status --socket "$T/kagent.sock" --config "$T/kagent.conf")
rc=$?
echo "$OUT" | head -3
echo "kagent status exit status: $rc (want 3)"
[ $rc -eq 3 ] || fail=1
echo "$OUT" | grep -q "^kagentd is not running ($T/kagent.sock: " || { echo "FAIL not-running line"; fail=1; }
echo "$OUT" | grep -q "^os.swappiness" || { echo "FAIL checks not shown"; fail=1; }
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/log"; }
exit $fail
