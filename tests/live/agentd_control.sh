#!/bin/bash
# kagentd's control socket against clients that misbehave: 20 that
# connect and never write (more than the 16 it serves at once) must not
# lock `kagent status` out, and are closed after CONTROL_CLIENT_MS (3 s);
# a request holding a NUL, one too long and an unknown one each get an
# error reply at once instead of silence.
set -u
BIN=$1
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"
mkdir "$T/spool" "$T/run"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/run"
cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka
cluster = test
rack = r1
[agent]
insecure = yes
interval = 60
spool = $T/spool
socket = $T/run/kagent.sock
user = nobody
host_id = ctl-1
root = $PWD/fixtures/host-broker
CONF
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/run/kagent.sock" ] && break; sleep 0.1; done
fail=0
python3 - "$T/run/kagent.sock" "$BIN/kagent" <<'PY' || fail=1
import json, socket, subprocess, sys, time
path, kagent = sys.argv[1], sys.argv[2]
bad = 0
def check(name, ok, got=""):
    global bad
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": got %r" % (got,)))
    bad += not ok

def ask(payload, timeout=2.9):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(path)
    s.sendall(payload)
    t0 = time.monotonic()
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        out += b"<timeout>"
    s.close()
    return out, time.monotonic() - t0

idle = []
for _ in range(20):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    idle.append(s)
time.sleep(0.3)
r = subprocess.run([kagent, "status", "--socket", path, "--json"],
                   capture_output=True, text=True, timeout=10)
# It answers: JSON with the host's verdict, which its exit status follows
# (0 pass, 1 warn, 2 fail; 3 is "kagentd not running").
try:
    doc = json.loads(r.stdout)
except ValueError:
    doc = {}
want = {"pass": 0, "info": 0, "warn": 1, "fail": 2}.get(doc.get("verdict"), -1)
check("kagent status answers with 20 idle clients connected (exit follows "
      "the verdict)", "host_id" in doc and r.returncode == want,
      (r.returncode, r.stdout[:200], r.stderr))
if doc:
    check("its host_id is ctl-1", doc.get("host_id") == "ctl-1",
          r.stdout[:200])
# The 16 it still held at most are closed by their deadline (3 s); a
# loaded machine gets slack, a deadline that never fires does not.
end = time.monotonic() + 8
closed = 0
for s in idle:
    s.settimeout(max(0.1, end - time.monotonic()))
    try:
        if s.recv(1) == b"":
            closed += 1
    except (socket.timeout, ConnectionResetError):
        pass
check("all 20 idle clients closed by kagentd (3 s deadline, within 8 s)",
      closed == 20, closed)

out, took = ask(b"sta\0tus\n")
check("NUL request: error reply", out ==
      b'{"error":"request holds a NUL byte (valid: status)"}\n', out)
check("NUL request: answered at once, not at the 3 s deadline", took < 2.9, took)
out, took = ask(b"\0")
check("a lone NUL: error reply", out ==
      b'{"error":"request holds a NUL byte (valid: status)"}\n', out)
out, took = ask(b"x" * 100)
check("overlong request: error reply", out ==
      b'{"error":"request too long (valid: status)"}\n', out)
out, took = ask(b"stats\n")
check("unknown request: error reply", out ==
      b'{"error":"unknown request (valid: status)"}\n', out)
out, took = ask(b"status\n")
check("status after all that: a JSON document",
      json.loads(out).get("host_id") == "ctl-1", out[:100])
sys.exit(1 if bad else 0)
PY
kill -TERM $PID
wait $PID
rc=$?
echo "kagentd exit status after SIGTERM: $rc (want 0)"
[ $rc -eq 0 ] || fail=1
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/log"; }
exit $fail
