#!/bin/bash
# A real kcollectord and ten kagentd processes on loopback over TLS, each
# with its own host id, certificate and fixture sysroot
# (fixtures/e2e-fleet.hosts, built by fixtures/e2e.gen.sh); `kagent fleet
# --json` over https, with a reader's certificate, judges the four clusters:
#   zk2     two ZooKeeper servers in one rack: size and placement fail
#   zk3     three in three racks: pass
#   kafka2  two brokers: kafka.cluster.size fails
#   kmix    three brokers, one on 0.10.2.1, no pins: kafka.upgrade.pins fails
set -u
BIN=$1
. live/lib/e2e.sh
E2E_HOSTS=()
e2e_collector_start || exit 1
e2e_fleet_start
fail=0
for h in "${E2E_HOSTS[@]}"; do
	e2e_wait_acked "$h" 1 30 || { echo "FAIL $h: no report acknowledged"; fail=1; }
done
OUT=$(e2e_fleet --json)
rc=$?
echo "kagent fleet --json exit status: $rc (want 0)"
[ $rc -eq 0 ] || fail=1
echo "\$ kagent fleet --collector https://127.0.0.1:$HTTP_PORT --tls-ca $CA/ca.pem --tls-cert $CA/hosts/fleet-reader.pem --tls-key $CA/hosts/fleet-reader.key"
e2e_fleet
python3 - "$OUT" <<'PY' || fail=1
import json, sys
d = json.loads(sys.argv[1])
cl = {c["name"]: c for c in d["clusters"]}
hosts = {h["host_id"]: h for h in d["hosts"]}

def sev(cluster, cid, instance=None):
    return [c["severity"] for c in cl[cluster]["checks"]
            if c["id"] == cid and c["instance"] == instance]

def measured(cluster, cid):
    return [c["measured"] for c in cl[cluster]["checks"]
            if c["id"] == cid and c["instance"] is None]

want = [
    ("clusters are kafka2 kmix zk2 zk3", sorted(cl) == ["kafka2", "kmix", "zk2", "zk3"]),
    ("zk2 verdict fail", cl["zk2"]["verdict"] == "fail"),
    ("zk2 zookeeper.ensemble.size fail, 2 servers",
     sev("zk2", "zookeeper.ensemble.size") == ["fail"]
     and measured("zk2", "zookeeper.ensemble.size") == ["2 servers"]),
    ("zk2 zookeeper.ensemble.placement fail, 2 of 2 in rack r1",
     sev("zk2", "zookeeper.ensemble.placement") == ["fail"]
     and measured("zk2", "zookeeper.ensemble.placement") == ["2 of 2 in rack r1"]),
    ("zk3 verdict pass", cl["zk3"]["verdict"] == "pass"),
    ("zk3 every check passes, 2 checks, and LLDP is said absent (info)",
     [c["severity"] for c in cl["zk3"]["checks"]] == ["pass", "pass", "info"]
     and sev("zk3", "rack.lldp_mismatch") == ["info"]),
    ("zk3 placement: 3 racks/zones, at most 1 in one",
     measured("zk3", "zookeeper.ensemble.placement") == ["3 racks/zones, at most 1 in one"]),
    ("kafka2 verdict fail", cl["kafka2"]["verdict"] == "fail"),
    ("kafka2 kafka.cluster.size fail, 2 brokers",
     sev("kafka2", "kafka.cluster.size") == ["fail"]
     and measured("kafka2", "kafka.cluster.size") == ["2 brokers"]),
    ("kafka2 kafka.upgrade.pins pass (one version)", sev("kafka2", "kafka.upgrade.pins") == ["pass"]),
    ("kmix verdict fail", cl["kmix"]["verdict"] == "fail"),
    ("kmix kafka.cluster.size pass, 3 brokers", sev("kmix", "kafka.cluster.size") == ["pass"]),
    ("kmix kafka.upgrade.pins fail on kmix-a and kmix-b (3.6.1 above 0.10.2.1)",
     sev("kmix", "kafka.upgrade.pins", "kmix-a") == ["fail"]
     and sev("kmix", "kafka.upgrade.pins", "kmix-b") == ["fail"]
     and sev("kmix", "kafka.upgrade.pins", "kmix-c") == []),
    ("kmix-a pins: required protocol at most 0.10.2",
     [c["required"] for c in cl["kmix"]["checks"]
      if c["id"] == "kafka.upgrade.pins" and c["instance"] == "kmix-a"]
     == ["protocol at most 0.10.2"]),
    ("10 hosts", len(hosts) == 10),
]
rows = {}
for line in open("fixtures/e2e-fleet.hosts"):
    f = line.split()
    if f and not f[0].startswith("#"):
        rows[f[0]] = f
for hid, (_, cluster, rack, roles, _root) in rows.items():
    h = hosts.get(hid, {})
    want.append((f"{hid}: cluster {cluster}, rack {rack}, roles [{roles}], not stale, seen",
                 h.get("cluster") == cluster and h.get("rack") == rack
                 and h.get("roles") == [roles] and h.get("stale") is False
                 and bool(h.get("last_seen"))))
for name, ok in want:
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(0 if all(ok for _, ok in want) else 1)
PY
if [ $fail -ne 0 ]; then
	echo "$OUT"
	cat "$T/collector.log"
fi
exit $fail
