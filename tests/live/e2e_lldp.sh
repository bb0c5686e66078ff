#!/bin/bash
# kagentd reading the local lldpd, end to end: two network namespaces
# joined by a veth pair, a real lldpd in each (the "switch" side named
# sw-r12-a.example), and in the host's namespace a real kcollectord and a
# real kagentd with [host] rack = lldp.  The report carries the NIC's
# neighbour, the collector shows the switch the host hangs from, and the
# rack is rack_pattern's group over the switch's name.
# Usage: e2e_lldp.sh BUILD_BIN_DIR   (needs root, ip, jq, lldpd, curl)
set -u
BIN=$1

if [ "${2:-}" != inner ]; then
	for tool in ip jq lldpd curl; do
		command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
	done
	[ "$(id -u)" = 0 ] || { echo "FAIL: needs root for network namespaces"; exit 1; }
	nsa=kagent-e2ea-$$
	nsb=kagent-e2eb-$$
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	pids=()
	cleanup() {
		for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
		for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
		ip netns del "$nsa" 2>/dev/null
		ip netns del "$nsb" 2>/dev/null
		rm -rf "$tmp"
	}
	trap cleanup EXIT
	ip netns add "$nsa" && ip netns add "$nsb" || exit 1
	ip link add kl0 netns "$nsa" type veth peer name kl1 netns "$nsb"
	ip -n "$nsa" link set kl0 up
	ip -n "$nsb" link set kl1 up
	ip -n "$nsb" link set lo up
	ip -n "$nsa" addr add 10.97.0.1/24 dev kl0
	ip -n "$nsb" addr add 10.97.0.2/24 dev kl1
	ip -n "$nsb" route add default via 10.97.0.1
	printf '%s\n' "configure system hostname sw-r12-a.example" \
		"configure lldp tx-interval 1" \
		"configure ports kl0 lldp portidsubtype local Ethernet7" >"$tmp/a.conf"
	printf '%s\n' "configure system hostname kafka2-lldp" \
		"configure lldp tx-interval 1" >"$tmp/b.conf"
	ip netns exec "$nsa" lldpd -d -u "$tmp/a.sock" -O "$tmp/a.conf" -I kl0 \
		>"$tmp/a.log" 2>&1 &
	pids+=($!)
	ip netns exec "$nsb" lldpd -d -u "$tmp/b.sock" -O "$tmp/b.conf" -I kl1 \
		>"$tmp/b.log" 2>&1 &
	pids+=($!)
	# lldpd makes its socket root:_lldpd 0660; kagentd's prober runs as
	# nobody here, where a deployment adds kagentd's user to _lldpd.
	for _ in $(seq 50); do [ -S "$tmp/b.sock" ] && break; sleep 0.1; done
	chmod 666 "$tmp/b.sock"
	ip netns exec "$nsb" bash "$0" "$BIN" inner "$tmp"
	exit $?
fi

# ---- inside the host's namespace: collector, agent, fleet ----
LLDP_SOCK=$3/b.sock
. live/lib/e2e.sh
fail=0
ID=kafka2-lldp
bad() { echo "FAIL $1"; fail=1; }

d=$T/$ID
mkdir -p "$d/spool"
chown nobody "$d"
e2e_issue "$ID" || exit 1
cat >"$d/kagent.conf" <<CONF
[host]
roles = kafka
cluster = kafka2
rack = lldp
rack_pattern = ^sw-(r[0-9]+)-
lldp_socket = $LLDP_SOCK
[agent]
collector = 127.0.0.1:$LISTEN_PORT
interval = 1
health_interval = 1
spool = $d/spool
socket = $d/kagent.sock
host_id = $ID
root = /
user = nobody
tls_ca = $CA/ca.pem
tls_cert = $CA/hosts/$ID.pem
tls_key = $CA/hosts/$ID.key
CONF
e2e_collector_start || exit 1
e2e_agent_start "$ID" || exit 1

# Until the collector shows the switch (the neighbour takes a second or
# two to be heard, the agent reports every second): at most 30 s.
start=$(date +%s%N)
host=
for _ in $(seq 300); do
	host=$(curl -sf "$COLL_URL/api/fleet" | jq -c --arg id "$ID" \
		'.hosts[] | select(.host_id == $id) | [.switches, .rack]')
	[ "$host" = '[["sw-r12-a.example"],"r12"]' ] && break
	sleep 0.1
done
echo "collector shows [switches, rack] after $((($(date +%s%N) - start) / 1000000)) ms: $host"
[ "$host" = '[["sw-r12-a.example"],"r12"]' ] ||
	{ bad "want [[\"sw-r12-a.example\"],\"r12\"]"; tail -n 5 "$d/log"; }

nic=$(curl -sf "$COLL_URL/api/hosts/$ID" | jq -c '.inventory.nics[] |
	select(.name == "kl1") | .lldp | [.state, .switch, .port_id]')
echo "report's kl1 lldp: $nic"
[ "$nic" = '["neighbour","sw-r12-a.example","Ethernet7"]' ] || bad "kl1 lldp in the report"

line=$(e2e_fleet | grep "^$ID ")
echo "fleet: $line"
want=$(printf '%-24s %-12s %-16s %-8s %-8s %-16s ' "$ID" kafka2 kafka r12 - \
	sw-r12-a.example)
[[ $line == "$want"* ]] || bad "kagent fleet host line, want it to start with '$want'"

[ "$fail" = 0 ] || { echo FAIL; exit 1; }
echo PASS
