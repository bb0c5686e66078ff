#!/bin/bash
# kagentd with its collector on a closed port: reports pile up in the spool,
# `kagent status --json` shows them and the connection retrying, and exits
# 2 on the verdict fail as a plugin would; once it is stopped, `kagent
# status` says so and exits 3, and `kagent status --json` says so in JSON
# with the one-shot check inside.
set -u
BIN=$1
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$T"' EXIT
# Started as root, kagentd runs as [agent] user: it must reach the spool
# and, to remove its socket at the end, own the socket's directory.
chmod 755 "$T"
mkdir "$T/spool" "$T/run"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/run"
# Port 1 (tcpmux) is closed on a test machine: connect is refused.
cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka,zookeeper
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
host_id = test-1
root = $PWD/fixtures/host-broker
CONF
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/run/kagent.sock" ] && break; sleep 0.1; done
sleep 2.5
OUT=$("$BIN/kagent" status --socket "$T/run/kagent.sock" --json)
rc=$?
echo "status: $OUT"
fail=0
echo "kagent status --json exit status: $rc (want 2: the verdict is fail)"
[ $rc -eq 2 ] || fail=1
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
        ("verdict fail (zookeeper.live: nothing listens on the fixture's client port)", d["verdict"] == "fail"),
        ("os.swappiness listed", any(c["id"] == "os.swappiness" for c in d["checks"])),
        ("tls mode plaintext (insecure = yes)", d["tls"] == {"mode": "plaintext"}),
        ("agent.tls.expiry info: plaintext by configuration",
         any(c["id"] == "agent.tls.expiry" and c["severity"] == "info" and
             c["measured"] == "plaintext" for c in d["checks"]))]
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
[ -e "$T/run/kagent.sock" ] && { echo "FAIL socket left behind"; fail=1; }
OUT=$("$BIN/kagent" status --socket "$T/run/kagent.sock" --config "$T/kagent.conf")
rc=$?
echo "$OUT" | head -3
echo "kagent status exit status: $rc (want 3)"
[ $rc -eq 3 ] || fail=1
echo "$OUT" | grep -q "^kagentd is not running ($T/run/kagent.sock: " || { echo "FAIL not-running line"; fail=1; }
echo "$OUT" | grep -q "^os.swappiness" || { echo "FAIL checks not shown"; fail=1; }
echo "$OUT" | grep -q "^KAGENT CRITICAL - " || { echo "FAIL no plugin status line of the one-shot check"; fail=1; }
OUT=$("$BIN/kagent" status --socket "$T/run/kagent.sock" --config "$T/kagent.conf" --json)
rc=$?
echo "kagent status --json, not running: exit $rc (want 3): $(head -c 300 <<<"$OUT")"
[ $rc -eq 3 ] || fail=1
python3 - "$OUT" "$T/run/kagent.sock" <<'PY' || fail=1
import json, sys
d = json.loads(sys.argv[1])
want = [("running false", d["running"] is False),
        ("socket", d["socket"] == sys.argv[2]),
        ("error No such file or directory", d["error"] == "No such file or directory"),
        ("verdict unknown", d["verdict"] == "unknown"),
        ("check: the one-shot check's document, state CRITICAL",
         d["check"]["state"] == "CRITICAL" and d["check"]["verdict"] == "fail"),
        ("check lists os.swappiness",
         any(c["id"] == "os.swappiness" for c in d["check"]["checks"]))]
for name, ok in want:
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(0 if all(ok for _, ok in want) else 1)
PY
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/log"; }
exit $fail
