#!/bin/bash
# A real three-server ZooKeeper ensemble (Debian's zookeeper package) on
# loopback, one kagentd per server (host ids zk3-a/b/c, each with the
# e2e-zk3 fixture root copied and its zoo.cfg put there, the same file its
# server runs from) and one kcollectord over TLS:
#   1. every host's zookeeper.live passes with mode leader or follower,
#      exactly one leader; /api/fleet and `kagent fleet` show the modes;
#   2. the leader's server is killed: its host's zookeeper.live fails
#      "not running", the two others pass again under a new leader, and
#      the fleet view shows it.
# Usage: bash e2e_zk_ensemble.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: e2e_zk_ensemble.sh BUILD_BIN_DIR}
ZK_JAR=/usr/share/java/zookeeper.jar
ZK_MAIN=org.apache.zookeeper.server.quorum.QuorumPeerMain
for need in java jq python3 curl dpkg-query; do
	command -v $need >/dev/null || { echo "FAIL $need is not installed"; exit 1; }
done
[ -r $ZK_JAR ] || { echo "FAIL $ZK_JAR missing (apt-get install zookeeper)"; exit 1; }
. live/lib/e2e.sh
START=$SECONDS
HOSTS=(zk3-a zk3-b zk3-c)
ZK_PIDS=()
zk_cleanup() {
	local p
	for p in "${ZK_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	e2e_cleanup
}
trap zk_cleanup EXIT

# Nine free loopback ports: client, quorum and election port per server.
read -r -a P < <(python3 -c '
import socket
s = [socket.socket() for _ in range(9)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
VERSION=$(dpkg-query -W -f='${Version}' zookeeper)
VERSION=${VERSION#*:}; VERSION=${VERSION%-*}

# Server n (1-3) of host ${HOSTS[n-1]}: its zoo.cfg lives in the host's
# fixture root, where kagentd finds it, and the server runs from it.
# tickTime 500 ms: a lost leader is noticed and replaced within seconds.
for n in 1 2 3; do
	h=${HOSTS[$((n - 1))]}
	root=$T/root-$h
	mkdir -p "$root/etc/zookeeper/conf"
	for d in proc sys tmp; do
		ln -s "$PWD/fixtures/e2e-zk3/$d" "$root/$d"
	done
	mkdir -p "$T/zk$n/data"
	echo $n > "$T/zk$n/data/myid"
	{
		echo "tickTime=500"
		echo "initLimit=10"
		echo "syncLimit=4"
		echo "dataDir=$T/zk$n/data"
		echo "clientPort=${P[$((n - 1))]}"
		echo "clientPortAddress=127.0.0.1"
		echo "admin.enableServer=false"
		echo "4lw.commands.whitelist=ruok,srvr,mntr"
		for m in 1 2 3; do
			echo "server.$m=127.0.0.1:${P[$((m + 2))]}:${P[$((m + 5))]}"
		done
	} > "$root/etc/zookeeper/conf/zoo.cfg"
	java -Xmx96m -XX:TieredStopAtLevel=1 -cp $ZK_JAR $ZK_MAIN \
		"$root/etc/zookeeper/conf/zoo.cfg" > "$T/zk$n.log" 2>&1 &
	ZK_PIDS+=($!)
done

e2e_collector_start || exit 1
# Each agent's configuration is written here, with its own root; the
# library starts it and keeps this file.
for n in 1 2 3; do
	h=${HOSTS[$((n - 1))]}
	mkdir -p "$T/$h"
	e2e_agent_start_conf() {
		cat > "$T/$1/kagent.conf" <<CONF
[host]
roles = zookeeper
cluster = zk3
rack = r$2
[zookeeper]
config = /etc/zookeeper/conf/zoo.cfg
[agent]
collector = 127.0.0.1:$LISTEN_PORT
interval = 1
health_interval = 1
spool = $T/$1/spool
socket = $T/$1/kagent.sock
host_id = $1
root = $T/root-$1
user = nobody
tls_ca = $CA/ca.pem
tls_cert = $CA/hosts/$1.pem
tls_key = $CA/hosts/$1.key
CONF
	}
	e2e_agent_start_conf "$h" $n
	e2e_agent_start "$h" zk3 r$n zookeeper unused
done

# wait_state TIMEOUT_S CONDITION: polls the collector every 0.5 s until
# CONDITION (Python, over rows: host -> [severity, measured, mode] with
# zookeeper.live of /api/hosts/ID and the mode of /api/fleet, spaces in
# measured as _) holds, at most TIMEOUT_S seconds; STATE shows the rows.
wait_state() {
	STATE=$(python3 - "$COLL_URL" "$1" "$2" "${HOSTS[@]}" <<'PY'
import json, sys, time, urllib.request
url, timeout, cond, hosts = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]

def get(path):
    with urllib.request.urlopen(url + path, timeout=5) as r:
        return json.load(r)

def state():
    fleet = {h["host_id"]: h for h in get("/api/fleet")["hosts"]}
    rows = {}
    for h in hosts:
        live = [c for c in get("/api/hosts/" + h)["checks"]
                if c["id"] == "zookeeper.live"]
        c = live[0] if live else {"severity": "absent", "measured": ""}
        mode = (fleet.get(h, {}).get("zookeeper") or {}).get("mode")
        rows[h] = [c["severity"], c["measured"].replace(" ", "_") or "-",
                   mode or "null"]
    return rows

end, rows, ok = time.monotonic() + timeout, {}, False
while True:
    try:
        rows = state()
        ok = eval("(" + cond + ")", {"rows": rows})
    except Exception as e:
        rows = {"error": [str(e)]}
    if ok or time.monotonic() > end:
        break
    time.sleep(0.5)
for h, r in rows.items():
    print(h, *r)
sys.exit(0 if ok else 1)
PY
)
}

fail=0
LIVE_OK='all(r[0] == "pass" and r[1] in ("leader_'$VERSION'", "follower_'$VERSION'")
        and r[2] == r[1].split("_")[0] for r in rows.values())
    and sum(r[2] == "leader" for r in rows.values()) == 1'
if wait_state 45 "$LIVE_OK"; then
	echo "ensemble up after $((SECONDS - START)) s:"
else
	echo "FAIL ensemble: not every host passes with one leader after $((SECONDS - START)) s:"
	fail=1
fi
sed 's/^/  /' <<< "$STATE"
LEADER=$(awk '$4 == "leader" { print $1 }' <<< "$STATE")

echo "\$ kagent fleet --collector https://127.0.0.1:$HTTP_PORT ..."
TEXT=$(e2e_fleet)
echo "$TEXT"
for h in "${HOSTS[@]}"; do
	mode=$(awk -v h=$h '$1 == h { print $4 }' <<< "$STATE")
	if ! grep -Eq "^$h .* (no|yes) +$mode $VERSION\$" <<< "$TEXT"; then
		echo "FAIL kagent fleet: no '$mode $VERSION' on the row of $h"
		fail=1
	fi
done
[ $fail -eq 0 ] || { for h in "${HOSTS[@]}"; do tail -3 "$T/$h/log"; done; exit 1; }

# The leader's server goes; its host fails, the two others elect a new
# leader and pass again.
n=0
for i in 0 1 2; do [ "${HOSTS[$i]}" = "$LEADER" ] && n=$i; done
kill -KILL "${ZK_PIDS[$n]}"
wait "${ZK_PIDS[$n]}" 2>/dev/null
KILLED_AT=$SECONDS
echo "killed the server of $LEADER"
AFTER='rows["'$LEADER'"][0] == "fail" and rows["'$LEADER'"][1] == "not_running"
    and rows["'$LEADER'"][2] == "null"
    and all(r[0] == "pass" and r[2] in ("leader", "follower")
            for h, r in rows.items() if h != "'$LEADER'")
    and sum(r[2] == "leader" for r in rows.values()) == 1'
if wait_state 40 "$AFTER"; then
	echo "new leader after $((SECONDS - KILLED_AT)) s:"
else
	echo "FAIL after the kill: $LEADER does not fail or no new leader after $((SECONDS - KILLED_AT)) s:"
	fail=1
fi
sed 's/^/  /' <<< "$STATE"
TEXT=$(e2e_fleet)
echo "$TEXT" | sed -n '/^HOST/,$p'
grep -Eq "^$LEADER .* (no|yes) +not running\$" <<< "$TEXT" ||
	{ echo "FAIL kagent fleet: $LEADER not shown 'not running'"; fail=1; }
echo "run time $((SECONDS - START)) s"
[ $fail -eq 0 ] && echo PASS
exit $fail
