#!/bin/bash
# `kagent status --json` (kagentd's last report) and `kagent check --json`
# (run once, now) on this machine, with one kagent.conf of role zookeeper,
# against Debian's zookeeper package started here on a free port: both list
# the same checks with the same results, zookeeper.live among them as pass
# "standalone VERSION" - every field equal but the age, which only the
# daemon's result has.  Then the server stops: both say fail "not running".
# Usage: bash status_check_zk.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: status_check_zk.sh BUILD_BIN_DIR}
ZK_JAR=/usr/share/java/zookeeper.jar
ZK_MAIN=org.apache.zookeeper.server.quorum.QuorumPeerMain
fail() { echo "FAIL: $*"; exit 1; }
for need in java jq python3 dpkg-query; do
	command -v $need >/dev/null || fail "$need is not installed"
done
[ -r $ZK_JAR ] || fail "$ZK_JAR missing (apt-get install zookeeper)"

D=$(mktemp -d /tmp/kagent-status-zk-XXXXXX)
chmod 755 "$D"
ZK_PID= AGENT_PID=
cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	[ -n "$ZK_PID" ] && kill "$ZK_PID" 2>/dev/null && wait "$ZK_PID" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > $D/zoo.cfg <<EOF
tickTime=2000
dataDir=$D/data
clientPort=$PORT
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
EOF
mkdir -p $D/spool
[ "$(id -u)" -ne 0 ] || chown nobody $D $D/spool
cat > $D/kagent.conf <<EOF
[host]
roles = zookeeper
[zookeeper]
config = $D/zoo.cfg
[agent]
interval = 1
health_interval = 1
spool = $D/spool
socket = $D/kagent.sock
host_id = status-check-zk
user = nobody
EOF

java -Xmx128m -cp $ZK_JAR $ZK_MAIN $D/zoo.cfg > $D/zk.log 2>&1 &
ZK_PID=$!
for i in $(seq 150); do
	R=$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 &&
		printf srvr >&3 && cat <&3' $PORT 2>/dev/null)
	[[ "$R" == "Zookeeper version:"* ]] && break
	kill -0 $ZK_PID 2>/dev/null || { cat $D/zk.log; fail "zookeeper exited"; }
	sleep 0.2
done
[[ "${R:-}" == "Zookeeper version:"* ]] || { cat $D/zk.log; fail "zookeeper not serving on $PORT"; }
VERSION=$(dpkg-query -W -f='${Version}' zookeeper)
VERSION=${VERSION#*:}; VERSION=${VERSION%-*}

"$BIN/kagentd" --config $D/kagent.conf 2> $D/agentd.log &
AGENT_PID=$!

# wait_seq MIN: until kagentd's last report seq reaches MIN (10 s).
wait_seq() {
	local i n
	for i in $(seq 100); do
		n=$("$BIN/kagent" status --socket $D/kagent.sock --json 2>/dev/null |
			jq -r '.last_report_seq // 0' 2>/dev/null)
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# compare WANT_SEV WANT_MEASURED: status and check at one moment.
compare() {
	local n st ck
	n=$("$BIN/kagent" status --socket $D/kagent.sock --json | jq -r .last_report_seq)
	wait_seq $((n + 1)) || { cat $D/agentd.log; fail "no new report after seq $n"; }
	st=$("$BIN/kagent" status --socket $D/kagent.sock --json)
	ck=$("$BIN/kagent" check --config $D/kagent.conf --json)
	python3 - "$st" "$ck" "$1" "$2" <<'PY'
import json, sys
st, ck = json.loads(sys.argv[1]), json.loads(sys.argv[2])
want_sev, want_measured = sys.argv[3], sys.argv[4]

def key(c):
    # Both write a missing instance as null.
    return (c["id"], c["instance"])

def fields(c):
    # zookeeper.disk.fsync is a rate over an interval: kagentd's since its
    # previous report, kagent check's over its own second.  Two intervals,
    # two figures: only the rule they are judged by must agree.
    if c["id"] == "zookeeper.disk.fsync":
        return {"required": c["required"]}
    return {k: c[k] for k in ("severity", "measured", "required", "message")}

s = {key(c): c for c in st["checks"]}
k = {key(c): c for c in ck["checks"]}
bad = 0
for x in sorted(set(s) | set(k)):
    if x not in s or x not in k:
        print(f"  {x}: only in {'status' if x in s else 'check'}")
        bad = 1
    elif fields(s[x]) != fields(k[x]):
        print(f"  {x}: status {fields(s[x])}\n  {' ' * len(str(x))}  check  {fields(k[x])}")
        bad = 1
print(f"status and check: {len(s)} and {len(k)} checks, "
      f"{'the same' if not bad else 'different'}")
live_s, live_k = s.get(("zookeeper.live", None)), k.get(("zookeeper.live", None))
for who, c in (("status", live_s), ("check", live_k)):
    print(f"{who}: zookeeper.live {c and c['severity']} '{c and c['measured']}' "
          f"age_ms {c and c.get('age_ms')}; expected {want_sev} '{want_measured}'")
    if c is None or c["severity"] != want_sev or c["measured"] != want_measured:
        bad = 1
# The daemon's result is of a probe it kept, within the interval; the
# one-shot check's is read now and has no age.
if live_s is None or not isinstance(live_s.get("age_ms"), int) \
        or not 0 <= live_s["age_ms"] <= 3000:
    print("status: zookeeper.live age_ms missing or beyond 3 s"); bad = 1
if live_k is None or live_k.get("age_ms", 0) is not None:
    print("check: zookeeper.live age_ms should be null"); bad = 1
sys.exit(bad)
PY
}

wait_seq 1 || { cat $D/agentd.log; fail "kagentd made no report"; }
compare pass "standalone $VERSION" || fail "status and check differ while serving"

kill $ZK_PID; wait $ZK_PID 2>/dev/null; ZK_PID=
compare fail "not running" || fail "status and check differ after the stop"
echo PASS
