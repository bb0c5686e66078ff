#!/bin/bash
# The live Kafka metadata end to end: librdkafka's mock cluster (3
# brokers, topics orders 3x3 and events 2x2; tests/kafka_mock), one
# kagentd per mock broker under its real sandbox, each finding its
# broker's listener in a fixture server.properties
# (fixtures/kafka-live), reporting to a real kcollectord; then
#   GET /api/clusters/kk/kafka  the exact merged view, complete;
#   lists only when they change  later reports carry no partitions (the
#                               collector counts them completed from the
#                               connection's last whole list), the view
#                               stays exact;
#   kcollectord restarted       the reports the agents made meanwhile are
#                               completed from the stored ones, the view
#                               exact again;
#   an empty store              those reports stay without their lists
#                               (counted unknown) until the next whole
#                               list makes the view exact again;
#   a leader moved in the mock  the view follows (the agents resend the
#                               partitions they lead, whole);
#   an agent whose bootstrap is a closed port  partial, its librdkafka
#                               error named, the other agents unaffected.
# Debian's mock (librdkafka 2.0.2) reports ISR equal to the replicas, no
# racks and has no DescribeConfigs handler: the topics' own configs are
# unknown, the view's why says why, and min ISR and retention are the
# brokers' server.properties defaults.  Each agent's root holds partition
# directories of known sizes, and a process named as Kafka's main class
# whose /proc stat is the mock cluster's own: started_ms is that process's
# start.  Their inter-broker listener binds every address, so the NIC
# carrying their traffic is host-broker's default route's, bond0, whose
# speed the view gives.
set -u
BIN=$1
. live/lib/e2e.sh
echo "report kk-* kk" >> "$T/acl"
E2E_HOSTS=()

coproc MOCK { "$BIN/kafka_mock" 3 orders:3:3 events:2:2; }
read -r -t 10 BOOT <&"${MOCK[0]}" || { echo "FAIL no mock cluster"; exit 1; }
IFS=, read -r -a PORTS <<< "$BOOT"
mock() {
	local a
	echo "$*" >&"${MOCK[1]}"
	read -r -t 10 a <&"${MOCK[0]}"
	[ "$a" = ok ] || { echo "FAIL mock $*: $a"; exit 1; }
}

# The mock places leaders at random: each is set, so the view is known.
mock leader orders 0 1
mock leader orders 1 2
mock leader orders 2 3
mock leader events 0 1
mock leader events 1 2
e2e_collector_start || exit 1

# The broker's process in every root is the mock cluster's (MOCK_PID):
# its start as the kernel counts it, in ms since the epoch.
BTIME=$(awk '$1 == "btime" {print $2}' /proc/stat)
START_TICKS=$(sed 's/.*) //' "/proc/$MOCK_PID/stat" | awk '{print $20}')
STARTED_MS=$((BTIME * 1000 + START_TICKS * 1000 / $(getconf CLK_TCK)))

# sysroot HOST BROKER_ID PORT: host-broker's proc and sys, a
# server.properties naming the broker and its listener, the mock's
# process as the Kafka process, and partition directories: broker B holds
# orders-P with 1000*B + 100*P bytes and events-P with 10*B + P bytes.
sysroot() {
	local r=$T/root-$1 d=$T/root-$1/var/lib/kafka/data p
	mkdir -p "$r/etc/kafka" "$r/proc/$MOCK_PID" "$d"
	cp -a fixtures/host-broker/proc/. "$r/proc/"
	ln -s "$PWD/fixtures/host-broker/sys" "$r/sys"
	printf 'java\0-cp\0libs/*\0kafka.Kafka\0config/server.properties\0' \
		> "$r/proc/$MOCK_PID/cmdline"
	echo java > "$r/proc/$MOCK_PID/comm"
	cp "/proc/$MOCK_PID/stat" "$r/proc/$MOCK_PID/stat"
	cp /proc/stat "$r/proc/stat"
	sed -e "s/@ID@/$2/" -e "s/@PORT@/$3/" \
		fixtures/kafka-live/server.properties.in \
		> "$r/etc/kafka/server.properties"
	for p in 0 1 2; do
		mkdir "$d/orders-$p"
		head -c $((1000 * $2 + 100 * p)) /dev/zero \
			> "$d/orders-$p/00000000000000000000.log"
	done
	for p in 0 1; do
		mkdir "$d/events-$p"
		head -c $((10 * $2 + p)) /dev/zero \
			> "$d/events-$p/00000000000000000000.log"
	done
}
# What DescribeConfigs gives from the mock: no answer, and why.
CONFIGS_WHY="broker 1: topic configs: DescribeConfigs (KIP-133) not supported by broker, requires broker version >= 0.11.0"
fail=0
KCONF=$'[kafka]\nmetadata_interval = 1'
for i in 1 2 3; do
	sysroot "kk-$i" "$i" "${PORTS[$((i - 1))]##*:}"
	e2e_agent_start "kk-$i" kk r1 kafka "$T/root-kk-$i" "$KCONF" || fail=1
	E2E_HOSTS+=("kk-$i")
done

# view_until JQ_FILTER TIMEOUT_S: the view, once the filter holds.
view_until() {
	local i
	for i in $(seq $(($2 * 5))); do
		V=$(curl -sf "$COLL_URL/api/clusters/kk/kafka")
		[ "$(jq -r "$1" <<< "$V" 2>/dev/null)" = true ] && return 0
		sleep 0.2
	done
	echo "FAIL the view never had $1; last:"
	echo "$V"
	return 1
}

view_until '.state == "complete"' 60 || fail=1
# fetched_ms is a clock reading: present, then left out of the comparison.
[ "$(jq -r '.fetched_ms | type' <<< "$V")" = number ] ||
	{ echo "FAIL fetched_ms is not a number"; fail=1; }
jq -S 'del(.fetched_ms)' <<< "$V" > "$T/view.json"
expect_view() {
	jq -S . > "$T/expect.json"
	diff -u "$T/expect.json" "$T/view.json" ||
		{ echo "FAIL the view differs"; fail=1; }
}

# assignment LEADER...: each partition's entry, replicas and ISR all
# three brokers (the mock gives every partition a replica on each).
assignment() {
	local p=0 l out=
	for l in "$@"; do
		out+="${out:+,}{\"partition\":$p,\"leader\":$l,\"replicas\":[1,2,3],\"isr\":[1,2,3]}"
		p=$((p + 1))
	done
	echo "[$out]"
}
# view STATE WHY EVENTS_ASSIGNMENT ORDERS_ASSIGNMENT [EXTRA_BROKER_JSON]
view() {
	local cid
	cid=$(jq -r .cluster_id "$T/view.json")
	case $cid in mockCluster*) ;; *) echo "FAIL cluster_id $cid"; fail=1 ;; esac
	jq -n --arg state "$1" --arg why "$2" --arg cid "$cid" \
		--argjson ev "$3" --argjson ord "$4" --argjson extra "${5:-[]}" \
		--argjson p1 "${PORTS[0]##*:}" --argjson p2 "${PORTS[1]##*:}" \
		--argjson p3 "${PORTS[2]##*:}" --argjson started "$STARTED_MS" '
	def broker($id; $port): {id: $id, host: "127.0.0.1", port: $port,
		rack: "r1", registered: true, host_id: "kk-\($id)",
		started_ms: $started, nic_speed_mbps: 20000};
	# Sizes: orders 3 brokers x (1000*B + 100*P) = 18900 bytes in 9
	# replicas; events 3 x (10*B + P) = 123 in 6.
	def topic($name; $n; $asg; $bytes; $rb): {name: $name,
		partitions: $n, replication_factor: 3, min_insync_replicas: 2,
		min_insync_replicas_source: "broker default",
		retention_ms: 604800000, retention_bytes: -1,
		retention_source: "broker default", bytes: $bytes,
		replica_bytes: $rb, under_replicated: 0, under_min_isr: 0,
		offline: 0, assignment: $asg};
	{cluster: "kk", state: $state, why: $why, error: null,
	 controller: 0, cluster_id: $cid,
	 brokers: ([broker(1; $p1), broker(2; $p2), broker(3; $p3)] + $extra),
	 topics: [topic("events"; 2; $ev; 123; 20),
		  topic("orders"; 3; $ord; 18900; 2100)]}'
}
view complete "$CONFIGS_WHY" "$(assignment 1 2)" "$(assignment 1 2 3)" | expect_view

# lists RESULT: kagent_collector_kafka_lists_total{result=RESULT}.
lists() {
	curl -sf "$COLL_URL/metrics" |
		sed -n "s/^kagent_collector_kafka_lists_total{result=\"$1\"} //p"
}
# lists_until RESULT MIN TIMEOUT_S
lists_until() {
	local i
	for i in $(seq $(($3 * 5))); do
		[ "$(lists "$1")" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.2
	done
	echo "FAIL kafka lists $1: $(lists "$1"), not $2 or more"
	return 1
}
# Unchanged lists: every agent's later reports carry the digest alone
# and are completed from its last whole list; the view is the same.
lists_until connection 6 30 || fail=1
[ "$(lists unknown)" = 0 ] || { echo "FAIL lists unknown: $(lists unknown)"; fail=1; }
V=$(curl -sf "$COLL_URL/api/clusters/kk/kafka")
jq -S 'del(.fetched_ms)' <<< "$V" > "$T/view.json"
view complete "$CONFIGS_WHY" "$(assignment 1 2)" "$(assignment 1 2 3)" | expect_view

# kcollectord restarted: the agents spool what they make meanwhile,
# unchanged lists among it; the new process has no connection's list
# and completes them from each host's stored report.
e2e_collector_stop TERM
sleep 3
e2e_collector_start || fail=1
lists_until stored 1 60 || fail=1
lists_until connection 3 30 || fail=1
[ "$(lists unknown)" = 0 ] || { echo "FAIL lists unknown after the restart: $(lists unknown)"; fail=1; }
V=$(curl -sf "$COLL_URL/api/clusters/kk/kafka")
jq -S 'del(.fetched_ms)' <<< "$V" > "$T/view.json"
view complete "$CONFIGS_WHY" "$(assignment 1 2)" "$(assignment 1 2 3)" | expect_view

# A collector whose store never saw the hosts (a failover to it): the
# spooled unchanged lists have no base, are stored as they came and
# counted unknown; the first report of the new connection goes whole and
# the view is exact again.
e2e_collector_stop TERM
sleep 3
COLL_DB=$T/collector-empty.db
e2e_collector_start || fail=1
lists_until unknown 1 60 || fail=1
lists_until whole 3 60 || fail=1
view_until '.state == "complete"' 60 || fail=1
jq -S 'del(.fetched_ms)' <<< "$V" > "$T/view.json"
view complete "$CONFIGS_WHY" "$(assignment 1 2)" "$(assignment 1 2 3)" | expect_view
WHOLE=$(lists whole)
UNKNOWN=$(lists unknown)

# A leader moves: broker 1's agent stops sending orders-0, broker 3's
# starts; the view follows.
mock leader orders 0 3
view_until '[.topics[] | select(.name == "orders") | .assignment[0].leader] == [3]' 30 || fail=1
jq -S 'del(.fetched_ms)' <<< "$V" > "$T/view.json"
view complete "$CONFIGS_WHY" "$(assignment 1 2)" "$(assignment 3 2 3)" | expect_view
# Brokers 1 and 3 sent their changed lists whole: none went unknown.
[ "$(lists whole)" -ge $((WHOLE + 2)) ] ||
	{ echo "FAIL whole lists $(lists whole) after $WHOLE"; fail=1; }
[ "$(lists unknown)" = "$UNKNOWN" ] ||
	{ echo "FAIL lists unknown after the move: $(lists unknown)"; fail=1; }

# A fourth agent whose broker cannot be reached: unknown with
# librdkafka's error, the view partial and naming it, the other three
# reporting as before.
sysroot kk-4 4 1
e2e_agent_start kk-4 kk r1 kafka "$T/root-kk-4" \
	$'[kafka]\nbootstrap = 127.0.0.1:1\nmetadata_interval = 1' || fail=1
E2E_HOSTS+=(kk-4)
view_until '.why | test("host kk-4: Local: Broker transport failure: .*127.0.0.1:1.*Connection refused")' 60 || fail=1
jq -S 'del(.fetched_ms)' <<< "$V" > "$T/view.json"
WHY=$(jq -r .why "$T/view.json")
case $WHY in
"host kk-4: Local: Broker transport failure: "*"; broker 4 is not in the metadata; $CONFIGS_WHY") ;;
*) echo "FAIL why: $WHY"; fail=1 ;;
esac
view partial "$WHY" "$(assignment 1 2)" "$(assignment 3 2 3)" \
	'[{"id":4,"host":null,"port":null,"rack":"r1","registered":false,"host_id":"kk-4","started_ms":'"$STARTED_MS"',"nic_speed_mbps":20000}]' |
	expect_view
for h in "${E2E_HOSTS[@]}"; do
	grep -q "Bad system call" "$T/$h/log" && { echo "FAIL $h: seccomp"; fail=1; }
	kill -0 "$(e2e_agent_pid "$h")" || { echo "FAIL $h is not running"; fail=1; }
done
[ $fail -eq 0 ] && echo "PASS kafka live view: complete, lists only when changed, kcollectord restarted, an empty store, a leader moved, an unreachable broker"
exit $fail
