#!/bin/bash
# Two network namespaces joined by a veth pair, a real lldpd in each with
# its own control socket and system name.  kagent inventory, run inside one
# namespace and pointed at that namespace's lldpd, must name the other side
# exactly (switch, port id and description, management address), say "no
# neighbour" on a port where nothing speaks LLDP, and "no LLDP daemon" when
# the socket is absent or refuses connections.
# Usage: lldp_netns.sh BUILD_BIN_DIR   (needs root, ip, jq, lldpd, python3)
set -euo pipefail

bin=${1:?usage: lldp_netns.sh BUILD_BIN_DIR}
for tool in ip jq lldpd lldpcli python3; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done
[ -x "$bin/kagent" ] || { echo "FAIL: $bin/kagent not built"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root to create network namespaces"; exit 1; }

nsa=kagent-lldpa-$$
nsb=kagent-lldpb-$$
tmp=$(mktemp -d)
# lldpd runs lldpcli -O as its own user, which must reach the socket.
chmod 755 "$tmp"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$nsa" 2>/dev/null || true
	ip netns del "$nsb" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$nsa"
ip netns add "$nsb"
# kl0 (A) -- kl1 (B) carry LLDP both ways; kl2 (B) -- kl3 (A) has no lldpd
# on A's side, so B's lldpd listens on kl2 and hears nobody.
ip link add kl0 netns "$nsa" type veth peer name kl1 netns "$nsb"
ip link add kl2 netns "$nsb" type veth peer name kl3 netns "$nsa"
for l in "$nsa kl0" "$nsa kl3" "$nsb kl1" "$nsb kl2"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$nsa" addr add 10.98.0.1/24 dev kl0
ip -n "$nsb" addr add 10.98.0.2/24 dev kl1

# lldpd reads lldpcli commands from -O at start: the system name (what a
# switch announces as its System Name), the port's id and description,
# and a one-second transmit interval so the test does not wait 30 s.
cat >"$tmp/a.conf" <<'EOF'
configure system hostname sw-r12-a.example
configure lldp tx-interval 1
configure ports kl0 lldp portidsubtype local Ethernet12 description "uplink of rack 12"
EOF
cat >"$tmp/b.conf" <<'EOF'
configure system hostname kafka-b.example
configure lldp tx-interval 1
configure ports kl1 lldp portidsubtype local eno1 description "broker NIC"
EOF
ip netns exec "$nsa" lldpd -d -u "$tmp/a.sock" -O "$tmp/a.conf" -I kl0 \
	-m 10.98.0.1 >"$tmp/a.log" 2>&1 &
pids+=($!)
ip netns exec "$nsb" lldpd -d -u "$tmp/b.sock" -O "$tmp/b.conf" -I kl1,kl2 \
	-m 10.98.0.2 >"$tmp/b.log" 2>&1 &
pids+=($!)

inv() { # NS SOCKET: kagent inventory --json inside NS, asking SOCKET
	ip netns exec "$1" "$bin/kagent" inventory --json --no-smart \
		--lldp-socket "$2"
}
lldp_of() { # NS SOCKET NIC: that NIC's lldp object, compact
	inv "$1" "$2" | jq -c --arg n "$3" '.nics[] | select(.name == $n) | .lldp'
}

# Each side sees the other: waited for through kagent itself, 100 ms
# steps, at most 15 s.
start=$(date +%s%N)
seen_a= seen_b=
for _ in $(seq 150); do
	[ -n "$seen_b" ] || [ "$(lldp_of "$nsb" "$tmp/b.sock" kl1 | jq -r .state)" != neighbour ] ||
		seen_b=$((($(date +%s%N) - start) / 1000000))
	[ -n "$seen_a" ] || [ "$(lldp_of "$nsa" "$tmp/a.sock" kl0 | jq -r .state)" != neighbour ] ||
		seen_a=$((($(date +%s%N) - start) / 1000000))
	[ -n "$seen_a" ] && [ -n "$seen_b" ] && break
	sleep 0.1
done
echo "neighbour seen after: B ${seen_b:-never} ms, A ${seen_a:-never} ms"
if [ -z "$seen_a" ] || [ -z "$seen_b" ]; then
	echo "FAIL: the lldpds did not see each other within 15 s"
	tail -n 5 "$tmp/a.log" "$tmp/b.log"
	exit 1
fi

fail=0
check() { # WHAT GOT WANT
	echo "$1: got $2"
	[ "$2" = "$3" ] || { echo "  want $3"; fail=1; }
}
check "B kl1 lldp" "$(lldp_of "$nsb" "$tmp/b.sock" kl1)" \
	'{"state":"neighbour","reason":null,"switch":"sw-r12-a.example","chassis_id":'"$(lldp_of "$nsb" "$tmp/b.sock" kl1 | jq -c .chassis_id)"',"port_id":"Ethernet12","port_description":"uplink of rack 12","management_address":"10.98.0.1"}'
# The chassis id lldpd announces is a MAC of A's side (its chassis is
# built from kl0): the one on kl0.
mac_a=$(ip netns exec "$nsa" cat /sys/class/net/kl0/address)
check "B kl1 chassis_id" "$(lldp_of "$nsb" "$tmp/b.sock" kl1 | jq -r .chassis_id)" "$mac_a"
check "A kl0 switch, port" \
	"$(lldp_of "$nsa" "$tmp/a.sock" kl0 | jq -c '[.state, .switch, .port_id, .port_description, .management_address]')" \
	'["neighbour","kafka-b.example","eno1","broker NIC","10.98.0.2"]'
check "B kl2 (no LLDP on the far side)" \
	"$(lldp_of "$nsb" "$tmp/b.sock" kl2 | jq -c '[.state, .reason, .switch]')" \
	'["no_neighbour","no neighbour (lldpd heard no LLDP on this port)",null]'
check "B lo (not lldpd's)" \
	"$(lldp_of "$nsb" "$tmp/b.sock" lo | jq -c '[.state, .reason]')" \
	'["unknown","not a port lldpd listens on"]'

# The text form names the switch on kl1's line.
line=$(ip netns exec "$nsb" "$bin/kagent" inventory --no-smart --lldp-socket "$tmp/b.sock" |
	awk '$1 == "kl1" && $2 == "sw-r12-a.example" { print $1, $2, $3 }')
check "B text" "$line" "kl1 sw-r12-a.example Ethernet12"

# Without lldpd: the socket absent, then a socket nobody listens on.
check "no socket" "$(lldp_of "$nsb" "$tmp/none.sock" kl1 | jq -c '[.state, .reason, .switch]')" \
	'["no_daemon","no LLDP daemon ('"$tmp"'/none.sock: absent)",null]'
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/dead.sock"
check "dead socket" "$(lldp_of "$nsb" "$tmp/dead.sock" kl1 | jq -c '[.state, .reason]')" \
	'["no_daemon","no LLDP daemon ('"$tmp"'/dead.sock: refuses connections)"]'
check "no lldpd, text" \
	"$(ip netns exec "$nsb" "$bin/kagent" inventory --no-smart --lldp-socket "$tmp/none.sock" | grep '^LLDP')" \
	"LLDP    no LLDP daemon ($tmp/none.sock: absent)"
# A captured tree is not this host: nothing is asked.
check "--root capture" "$(ip netns exec "$nsb" "$bin/kagent" inventory --json --no-smart \
	--root "$(dirname "$0")/../fixtures/check-base" --lldp-socket "$tmp/b.sock" |
	jq -c '[.nics[].lldp | [.state, .reason]] | unique')" \
	'[["unknown","not the live host"]]'

[ "$fail" = 0 ] || { echo FAIL; exit 1; }
echo PASS
