#!/bin/bash
# Two kcollectord sharing one real PostgreSQL (lib/pg.sh, started by this
# test as an unprivileged user on a unix socket), four real kagentd on
# loopback over TLS, two reporting to each collector every second.
#
#  - A URL with a password is refused on the command line and masked in
#    what the collector prints.
#  - Both collectors serve the whole fleet: their /api/fleet are the same.
#  - PostgreSQL stopped for 20 s: no agent gets an ack in that time, both
#    collectors answer /api/fleet and /metrics marked stale and log the
#    episode once; started again, both resume by themselves.
#  - No loss, no duplicate, checked in the database: a trigger this test
#    adds records every seq a committed write of a host's row carried;
#    for every host they are exactly 1, 2, ..., N once each, N the agent's
#    own last seq (spool/state) after it was stopped and restarted.
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
HOSTS_A="zk3-a kmix-a"
HOSTS_B="zk3-b kmix-c"
HOSTS="$HOSTS_A $HOSTS_B"
read -r LISTEN2 HTTP2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
URL2=http://127.0.0.1:$HTTP2

collector2_start() {
	"$BIN/kcollectord" --listen 127.0.0.1:$LISTEN2 --http 127.0.0.1:$HTTP2 \
		--db "$COLL_DB" --tls-ca "$CA/ca.pem" --tls-cert "$CA/collector.pem" \
		--tls-key "$CA/collector.key" --acl "$T/acl" --user nobody \
		2>> "$T/collector2.log" &
	E2E_PIDS+=($!)
	local i
	for i in $(seq 100); do
		curl -sf -o /dev/null "$URL2/metrics" && return 0
		sleep 0.1
	done
	echo "FAIL second kcollectord did not answer"
	cat "$T/collector2.log"
	return 1
}
start_agents() {
	e2e_agent_start zk3-a zk3 r1 zookeeper e2e-zk3
	e2e_agent_start kmix-a kmix r1 kafka e2e-kafka-3.6.1
	LISTEN_PORT=$LISTEN2 e2e_agent_start zk3-b zk3 r2 zookeeper e2e-zk3
	LISTEN_PORT=$LISTEN2 e2e_agent_start kmix-c kmix r3 kafka e2e-kafka-0.10.2.1
}

echo "--- a password: refused on the command line, masked in what is printed"
PW_URL="postgresql://kagent:s3cret-pw@/kagent?host=$PG_DIR"
out=$("$BIN/kcollectord" --insecure --db "$PW_URL" 2>&1)
check "--db with a password: exit 2 ($?), the password not echoed" \
	test "$?" = 2 -a -z "$(echo "$out" | grep s3cret)" -a -n "$(echo "$out" | grep -- '--db: a password on the command line is refused')"
printf '[collector]\ninsecure = yes\ndb = %s\n' "$PW_URL" > "$T/pw.conf"
out=$("$BIN/kcollectord" --config "$T/pw.conf" -t 2>&1)
check "db = with a password in the configuration: shown as kagent:***@" \
	test -z "$(echo "$out" | grep s3cret)" -a -n "$(echo "$out" | grep -F 'db postgresql://kagent:***@/kagent')"
e2e_collector_start || exit 1
collector2_start || exit 1
check "schema version 1 recorded once" test "$(psql_q 'SELECT version FROM schema_version')" = 1
psql_q "CREATE TABLE seen(host_id text NOT NULL, seq bigint NOT NULL);
CREATE FUNCTION seen_row() RETURNS trigger LANGUAGE plpgsql AS
 \$\$BEGIN INSERT INTO seen VALUES(NEW.host_id, NEW.last_seq); RETURN NEW; END\$\$;
CREATE TRIGGER seen AFTER INSERT OR UPDATE ON hosts FOR EACH ROW EXECUTE FUNCTION seen_row();" || exit 1
start_agents
for h in $HOSTS; do
	e2e_wait_acked "$h" 3 30 || { echo "FAIL $h: no ack"; fail=1; }
done
check "collector 1 lists all four hosts" test "$(curl -sf "$COLL_URL/api/fleet" | jq '.hosts | length')" = 4
check "collector 2 lists all four hosts" test "$(curl -sf "$URL2/api/fleet" | jq '.hosts | length')" = 4

echo "--- PostgreSQL stopped for 20 s"
pg_stop
declare -A A0
for h in $HOSTS; do A0[$h]=$(st "$h" .last_acked_seq); done
sleep 3
check "collector 1 answers /api/fleet marked stale, 4 hosts" \
	test "$(curl -sf "$COLL_URL/api/fleet" | jq -c '[.stale, (.hosts | length)]')" = '[true,4]'
check "collector 2 answers /api/fleet marked stale, 4 hosts" \
	test "$(curl -sf "$URL2/api/fleet" | jq -c '[.stale, (.hosts | length)]')" = '[true,4]'
check "collector 1 /metrics: kagent_collector_store_stale 1" \
	test "$(curl -sf "$COLL_URL/metrics" | grep -c '^kagent_collector_store_stale 1$')" = 1
for _ in $(seq 17); do
	sleep 1
	for h in $HOSTS; do
		a=$(st "$h" .last_acked_seq)
		[ "$a" = "${A0[$h]}" ] || { echo "FAIL $h: acked $a during the outage (was ${A0[$h]})"; fail=1; }
	done
done
for h in $HOSTS; do
	check "$h: no ack in 20 s without the database (acked ${A0[$h]}, produced $(st "$h" .last_report_seq), spool $(st "$h" .spool.reports))" \
		test "$(st "$h" .last_acked_seq)" = "${A0[$h]}"
done
echo "--- PostgreSQL started again"
pg_restart || { echo "FAIL PostgreSQL did not restart"; exit 1; }
for h in $HOSTS; do
	r=$(st "$h" .last_report_seq)
	e2e_wait_acked "$h" "$r" 60
	check "$h: seq $r (made during the outage) acknowledged after it" \
		test "$(st "$h" .last_acked_seq)" -ge "$r"
done
check "collector 1 not stale again" test "$(curl -sf "$COLL_URL/api/fleet" | jq .stale)" = false
for l in collector collector2; do
	check "$l: one 'unreachable' line, one 'reachable again'" \
		test "$(grep -c 'unreachable' "$T/$l.log"):$(grep -c 'reachable again' "$T/$l.log")" = 1:1
done

echo "--- agents stopped, their last seq; restarted: the database must reach it"
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

echo "--- both collectors serve the same fleet"
f1=$(curl -sf "$COLL_URL/api/fleet")
f2=$(curl -sf "$URL2/api/fleet")
f3=$(curl -sf "$COLL_URL/api/fleet")
check "collector 2's /api/fleet is collector 1's ($(echo "$f2" | wc -c) bytes, $(echo "$f2" | jq '.hosts | length') hosts)" \
	test "$f2" = "$f1" -o "$f2" = "$f3"
g1=$(curl -sf "$COLL_URL/api/hosts/kmix-c")
g2=$(curl -sf "$URL2/api/hosts/kmix-c")
check "kmix-c (reporting to collector 2) is the same on collector 1" test -n "$g1" -a "$g1" = "$g2"
if [ $fail -ne 0 ]; then
	echo "--- collector 1 log"; cat "$T/collector.log"
	echo "--- collector 2 log"; cat "$T/collector2.log"
fi
exit $fail
