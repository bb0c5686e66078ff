#!/bin/bash
# Two kcollectord on one real PostgreSQL (lib/pg.sh) and real kagentd
# that list both (collector = first, second).  The first collector is
# killed with SIGKILL mid-stream: every agent moves to the second within
# a bounded time, and, checked in the database by a trigger recording
# every committed write of a host's row, each seq from 1 to the agent's
# last is stored exactly once — a report the dead collector committed
# but could not acknowledge is sent again and the conditional upsert
# leaves it alone; none is lost.
set -u
BIN=$1
E2E_PG=1
. live/lib/e2e.sh
fail=0
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
st() { e2e_status "$1" | jq -r "$2"; }
psql_q() { "${PG_PSQL[@]}" -c "$1"; }
HOSTS="zk3-a kmix-a kmix-b"
read -r LISTEN2 HTTP2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
URL2=http://127.0.0.1:$HTTP2
LISTEN1=$LISTEN_PORT

"$BIN/kcollectord" --listen 127.0.0.1:$LISTEN2 --http 127.0.0.1:$HTTP2 \
	--db "$COLL_DB" --tls-ca "$CA/ca.pem" --tls-cert "$CA/collector.pem" \
	--tls-key "$CA/collector.key" --acl "$T/acl" --user nobody \
	2>> "$T/collector2.log" &
E2E_PIDS+=($!)
e2e_collector_start || exit 1
for _ in $(seq 100); do curl -sf -o /dev/null "$URL2/metrics" && break; sleep 0.1; done
psql_q "CREATE TABLE seen(host_id text NOT NULL, seq bigint NOT NULL);
CREATE FUNCTION seen_row() RETURNS trigger LANGUAGE plpgsql AS
 \$\$BEGIN INSERT INTO seen VALUES(NEW.host_id, NEW.last_seq); RETURN NEW; END\$\$;
CREATE TRIGGER seen AFTER INSERT OR UPDATE ON hosts FOR EACH ROW EXECUTE FUNCTION seen_row();" || exit 1

# The list in kagent.conf: "127.0.0.1:FIRST, 127.0.0.1:SECOND".
start_agents() {
	LISTEN_PORT="$LISTEN1, 127.0.0.1:$LISTEN2" e2e_agent_start zk3-a zk3 r1 zookeeper e2e-zk3
	LISTEN_PORT="$LISTEN1, 127.0.0.1:$LISTEN2" e2e_agent_start kmix-a kmix r1 kafka e2e-kafka-3.6.1
	LISTEN_PORT="$LISTEN1, 127.0.0.1:$LISTEN2" e2e_agent_start kmix-b kmix r2 kafka e2e-kafka-3.6.1
}
start_agents
for h in $HOSTS; do
	e2e_wait_acked "$h" 3 30 || { echo "FAIL $h: no ack"; fail=1; }
	check "$h reports to the first collector (position $(st "$h" .collector_position))" \
		test "$(st "$h" .collector_position)" = 1
done

echo "--- the first collector killed (SIGKILL)"
declare -A A0
for h in $HOSTS; do A0[$h]=$(st "$h" .last_acked_seq); done
t0=$(date +%s%N)
e2e_collector_stop KILL
for h in $HOSTS; do
	for _ in $(seq 300); do
		[ "$(st "$h" .collector_position)" = 2 ] && [ "$(st "$h" .last_acked_seq)" -gt "${A0[$h]}" ] && break
		sleep 0.1
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "$h: on the second collector and acknowledged again within 30 s ($ms ms; acked ${A0[$h]} -> $(st "$h" .last_acked_seq))" \
		test "$(st "$h" .collector_position)" = 2 -a "$(st "$h" .last_acked_seq)" -gt "${A0[$h]}"
done
sleep 2

echo "--- agents stopped and started again: their spool drains into the second"
declare -A N
for h in $HOSTS; do
	e2e_agent_stop "$h" TERM
	N[$h]=$(sed -n 's/^last_seq //p' "$T/$h/spool/state")
done
start_agents
for h in $HOSTS; do
	for _ in $(seq 300); do
		[ "$(psql_q "SELECT last_seq >= ${N[$h]} FROM hosts WHERE host_id = '$h'")" = t ] && break
		sleep 0.1
	done
done
for h in $HOSTS; do e2e_agent_stop "$h" TERM; done
for h in $HOSTS; do
	r=$(psql_q "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq) FROM seen WHERE host_id = '$h'")
	read -r n d lo hi <<< "$r"
	check "$h: seqs 1..$hi each stored once ($n rows, $d distinct, from $lo), $hi >= ${N[$h]}" \
		test "$n" = "$hi" -a "$d" = "$hi" -a "$lo" = 1 -a "$hi" -ge "${N[$h]}"
done
check "the second collector lists the three hosts" \
	test "$(curl -sf "$URL2/api/fleet" | jq '.hosts | length')" = 3
if [ $fail -ne 0 ]; then
	echo "--- collector 1 log"; cat "$T/collector.log"
	echo "--- collector 2 log"; cat "$T/collector2.log"
	for h in $HOSTS; do echo "--- $h log"; tail -20 "$T/$h/log"; done
fi
exit $fail
