#!/bin/bash
# kagent inventory inside a fresh network namespace holding a veth pair:
# speed 10000 and duplex full (what veth reports), the IPv4 address given,
# virtual true, max_speed_mbps null (veth has no link partner modes).
# Usage: nic_netns.sh BUILD_BIN_DIR   (needs root, ip, jq)
set -euo pipefail

bin=${1:?usage: nic_netns.sh BUILD_BIN_DIR}
for tool in ip jq; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done
[ -x "$bin/kagent" ] || { echo "FAIL: $bin/kagent not built"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root to create a network namespace"; exit 1; }

ns=kagent-test-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
nsx() { ip netns exec "$ns" "$@"; }
nsx ip link add kv0 type veth peer name kv1
nsx ip link set kv0 up
nsx ip link set kv1 up
nsx ip addr add 10.99.0.1/24 dev kv0
for _ in $(seq 100); do
	[ "$(nsx cat /sys/class/net/kv0/operstate)" = up ] && break
	sleep 0.05
done

json=$(nsx "$bin/kagent" inventory --json)
got=$(jq -c '.nics[] | select(.name == "kv0") |
	[.speed_mbps, .duplex, .virtual, .max_speed_mbps,
	 (.addresses | map(select(startswith("10.")))) ]' <<<"$json")
want='[10000,"full",true,null,["10.99.0.1/24"]]'
echo "kv0 [speed_mbps, duplex, virtual, max_speed_mbps, IPv4]: got $got, want $want"
[ "$got" = "$want" ] || { echo FAIL; exit 1; }
echo PASS
