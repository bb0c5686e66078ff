#!/bin/bash
# kagent check as a plugin against Debian's zookeeper package started here
# on a free port, as monitoring-plugins' own tests run a plugin:
#   1. serving: exit 0/OK status line, perfdata with the server's latency
#      and outstanding requests, strict perfdata grammar
#      (live/lib/plugin_output.py);
#   2. the server stopped with SIGSTOP, so the kernel still accepts
#      connections and nothing ever answers: `kagent check -t 3` prints
#      exactly "KAGENT UNKNOWN - timed out after 3 s" and exits 3 within
#      the bound (asserted < 6 s; a bound, not a benchmark), --json too;
#   3. --skip zookeeper.live on the stopped server: nothing is asked, the
#      run ends at once.
# Usage: bash check_plugin_zk.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: check_plugin_zk.sh BUILD_BIN_DIR}
KAGENT=$BIN/kagent
ZK_JAR=/usr/share/java/zookeeper.jar
ZK_MAIN=org.apache.zookeeper.server.quorum.QuorumPeerMain
CHECKER=live/lib/plugin_output.py
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for need in java jq python3; do
	command -v $need >/dev/null || { echo "FAIL: $need is not installed"; exit 1; }
done
[ -r $ZK_JAR ] || { echo "FAIL: $ZK_JAR missing (apt-get install zookeeper)"; exit 1; }

D=$(mktemp -d /tmp/kagent-plugin-zk-XXXXXX)
ZK_PID=
cleanup() {
	if [ -n "$ZK_PID" ]; then
		kill -CONT "$ZK_PID" 2>/dev/null
		kill "$ZK_PID" 2>/dev/null && wait "$ZK_PID" 2>/dev/null
	fi
	rm -rf "$D"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > $D/zoo.cfg <<EOF
tickTime=2000
dataDir=$D/data
clientPort=$PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
EOF
printf '[host]\nroles = zookeeper\n[zookeeper]\nconfig = %s/zoo.cfg\n' $D > $D/kagent.conf

java -Xmx128m -cp $ZK_JAR $ZK_MAIN $D/zoo.cfg > $D/zk.log 2>&1 &
ZK_PID=$!
for i in $(seq 150); do
	R=$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 &&
		printf srvr >&3 && cat <&3' $PORT 2>/dev/null)
	[[ "$R" == "Zookeeper version:"* ]] && break
	kill -0 $ZK_PID 2>/dev/null || { cat $D/zk.log; echo "FAIL: zookeeper exited"; exit 1; }
	sleep 0.2
done
[[ "${R:-}" == "Zookeeper version:"* ]] || { cat $D/zk.log; echo "FAIL: zookeeper not serving on $PORT"; exit 1; }

# 1. Serving.  The host's own facts decide the state; zookeeper.live and
# the perfdata of the server are what this test is about.
OUT=$("$KAGENT" check --config $D/kagent.conf -t 10)
RC=$?
echo "serving: exit $RC, first line: $(head -1 <<<"$OUT" | cut -c1-200)"
PERF=$(python3 $CHECKER $RC KAGENT <<<"$OUT") || { echo "$PERF"; fail "plugin output while serving"; }
grep -q '^zookeeper.live  *pass  *standalone ' <<<"$OUT" || fail "zookeeper.live does not pass in the long output"
for l in latency_min latency_avg latency_max; do
	grep -Eq "^zookeeper\.$l=[0-9]+us;;;0$" <<<"$PERF" || fail "no zookeeper.$l=Nus;;;0 in the perfdata"
done
grep -Eq '^zookeeper\.outstanding_requests=0;;;0$' <<<"$PERF" || fail "zookeeper.outstanding_requests is not 0 on an idle server"
grep -Eq '^zookeeper\.connections=[1-9][0-9]*;;;0$' <<<"$PERF" || fail "zookeeper.connections missing"
echo "$PERF" | grep '^zookeeper\.' | sed 's/^/  perfdata: /'
# The same numbers in --json.
J=$("$KAGENT" check --config $D/kagent.conf --json)
[ "$(jq -r '[.perfdata[] | select(.label == "zookeeper.outstanding_requests")][0].value' <<<"$J")" = 0 ] ||
	fail "--json perfdata has no zookeeper.outstanding_requests 0"

# 2. Accepts, never answers.
kill -STOP $ZK_PID
for args in "-t 3" "-t 3 --json"; do
	T0=$(date +%s%N)
	OUT=$("$KAGENT" check --config $D/kagent.conf $args)
	RC=$?
	MS=$((($(date +%s%N) - T0) / 1000000))
	echo "stopped server, kagent check $args: exit $RC after $MS ms: $OUT"
	if [ "$args" = "-t 3" ]; then
		[ "$OUT" = "KAGENT UNKNOWN - timed out after 3 s" ] || fail "timeout text '$OUT'"
		python3 $CHECKER $RC KAGENT <<<"$OUT" >/dev/null || fail "timeout output is no plugin output"
	else
		[ "$(jq -r '.state + " " + .error' <<<"$OUT")" = "UNKNOWN timed out after 3 s" ] ||
			fail "--json timeout document '$OUT'"
	fi
	[ $RC = 3 ] || fail "exit $RC on timeout, want 3"
	[ $MS -ge 2900 ] || fail "ended after $MS ms, before the 3 s timeout"
	[ $MS -lt 6000 ] || fail "took $MS ms, bound 6000"
done

# 3. Nothing asked: the stopped server does not hold the run.
T0=$(date +%s%N)
OUT=$("$KAGENT" check --config $D/kagent.conf -t 3 --skip zookeeper.live)
RC=$?
MS=$((($(date +%s%N) - T0) / 1000000))
echo "stopped server, --skip zookeeper.live: exit $RC after $MS ms"
grep -q '^zookeeper.live  *skipped ' <<<"$OUT" || fail "zookeeper.live not listed as skipped"
[ $MS -lt 2000 ] || fail "--skip zookeeper.live still waited $MS ms"
python3 $CHECKER $RC KAGENT <<<"$OUT" >/dev/null || fail "plugin output with --skip"

[ $fails = 0 ] && echo PASS || { echo "$fails failure(s)"; exit 1; }
