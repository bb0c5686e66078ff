#!/bin/bash
# zookeeper.live and zookeeper.nic.speed of `kagent check` on this machine,
# against Debian's zookeeper package started here on a free port: pass with
# "standalone VERSION" (the version dpkg reports) while it serves, fail
# "not running" (exit 2) once it is stopped.  The interface must be the
# one `ip route` names for the default route (clientPortAddress unset).
# Usage: bash check_zk_live.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: check_zk_live.sh BUILD_BIN_DIR}
KAGENT=$BIN/kagent
ZK_JAR=/usr/share/java/zookeeper.jar
ZK_MAIN=org.apache.zookeeper.server.quorum.QuorumPeerMain
fail() { echo "FAIL: $*"; exit 1; }
for need in java jq python3 ip dpkg-query; do
	command -v $need >/dev/null || fail "$need is not installed"
done
[ -r $ZK_JAR ] || fail "$ZK_JAR missing (apt-get install zookeeper)"

D=$(mktemp -d /tmp/kagent-check-zk-XXXXXX)
ZK_PID=
cleanup() {
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
4lw.commands.whitelist=*
EOF
printf '[host]\nroles = zookeeper\n[zookeeper]\nconfig = %s/zoo.cfg\n' $D > $D/kagent.conf

java -Xmx128m -cp $ZK_JAR $ZK_MAIN $D/zoo.cfg > $D/zk.log 2>&1 &
ZK_PID=$!
for i in $(seq 150); do
	# ruok says imok before a starting server serves: wait for srvr.
	R=$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 &&
		printf srvr >&3 && cat <&3' $PORT 2>/dev/null)
	[[ "$R" == "Zookeeper version:"* ]] && break
	kill -0 $ZK_PID 2>/dev/null || { cat $D/zk.log; fail "zookeeper exited"; }
	sleep 0.2
done
[[ "${R:-}" == "Zookeeper version:"* ]] || { cat $D/zk.log; fail "zookeeper not serving on $PORT"; }

VERSION=$(dpkg-query -W -f='${Version}' zookeeper)
VERSION=${VERSION#*:}; VERSION=${VERSION%-*}
WANT_IF=$(ip -o route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')

result() { # json id field
	jq -r --arg id "$2" "[.checks[] | select(.id == \$id)][0].$3 // \"\"" <<< "$1"
}

OUT=$("$KAGENT" check --config $D/kagent.conf --json)
echo "running: kagent exit $?"
SEV=$(result "$OUT" zookeeper.live severity)
M=$(result "$OUT" zookeeper.live measured)
echo "zookeeper.live: $SEV '$M'; expected pass 'standalone $VERSION'"
[ "$SEV" = pass ] && [ "$M" = "standalone $VERSION" ] || fail "live while serving"
IF=$(result "$OUT" zookeeper.nic.speed instance)
echo "zookeeper.nic.speed on '$IF'; ip route's default dev '$WANT_IF'"
[ "$IF" = "$WANT_IF" ] || fail "interface"

kill $ZK_PID; wait $ZK_PID 2>/dev/null; ZK_PID=
OUT=$("$KAGENT" check --config $D/kagent.conf --json)
RC=$?
SEV=$(result "$OUT" zookeeper.live severity)
M=$(result "$OUT" zookeeper.live measured)
echo "stopped: zookeeper.live $SEV '$M', exit $RC; expected fail 'not running', exit 2"
[ "$SEV" = fail ] && [ "$M" = "not running" ] && [ $RC = 2 ] || fail "live after stop"
echo PASS
