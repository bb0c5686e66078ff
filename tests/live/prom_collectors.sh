#!/bin/bash
# The shipped dashboard and alert rules with two collectors: a real
# Prometheus (Debian's) scraping two real kcollectord that share one real
# PostgreSQL (lib/pg.sh), fed by three real kagentd (two on the first
# collector, one on the second).  A second Prometheus scrapes the first
# collector alone.  Every panel query of packaging/grafana/kagent-fleet.json
# and every alert expression of packaging/prometheus/kagent.rules.yml must
# give the same series (labels apart from instance, and values) from both:
# two collectors read as one, one series per host, disk, NIC, check and
# cluster.  That the test can fail: the bare selectors of the per-host
# panels give exactly twice the series from the Prometheus that scrapes
# both.
set -u
BIN=$1
E2E_PG=1
. live/lib/e2e.sh
fail=0
bad() { echo "FAIL $1"; fail=1; }
echo "report hw-* hw" >> "$T/acl"
read -r LISTEN2 HTTP2 PROM1 PROM2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

e2e_collector_start || exit 1
"$BIN/kcollectord" --listen 127.0.0.1:$LISTEN2 --http 127.0.0.1:$HTTP2 \
	--db "$COLL_DB" --tls-ca "$CA/ca.pem" --tls-cert "$CA/collector.pem" \
	--tls-key "$CA/collector.key" --acl "$T/acl" --user nobody \
	2>> "$T/collector2.log" &
E2E_PIDS+=($!)
for _ in $(seq 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$HTTP2/metrics" && break
	sleep 0.1
done
e2e_agent_start hw-broker hw r1 kafka host-broker
e2e_agent_start kmix-a kmix r1 kafka e2e-kafka-3.6.1
LISTEN_PORT=$LISTEN2 e2e_agent_start zk3-a zk3 r2 zookeeper e2e-zk3
for h in hw-broker kmix-a zk3-a; do
	e2e_wait_acked "$h" 2 30 || bad "$h: no report acknowledged"
done

# prom_start PORT TARGET...: a Prometheus scraping the targets every
# second as job kagent, its data below $T.
prom_start() {
	local port=$1 d=$T/prom$1
	shift
	mkdir -p "$d"
	{
		echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
		echo "scrape_configs:"
		echo "  - job_name: kagent"
		echo "    static_configs:"
		echo "      - targets: [$(printf "'%s'," "$@" | sed 's/,$//')]"
	} > "$d/prometheus.yml"
	prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" \
		--web.listen-address=127.0.0.1:$port > "$d/log" 2>&1 &
	E2E_PIDS+=($!)
}
prom_start "$PROM1" 127.0.0.1:$HTTP_PORT
prom_start "$PROM2" 127.0.0.1:$HTTP_PORT 127.0.0.1:$HTTP2
q() { # q PORT EXPR: the result of an instant query, as JSON
	curl -sf "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" |
		jq -c '.data.result'
}
# Until each Prometheus holds the three hosts from every collector it
# scrapes.
for _ in $(seq 300); do
	[ "$(q "$PROM1" 'count(kagent_host_info)' | jq -r '.[0].value[1]')" = 3 ] &&
		[ "$(q "$PROM2" 'count(kagent_host_info)' | jq -r '.[0].value[1]')" = 6 ] && break
	sleep 0.1
done
echo "kagent_host_info series: $(q "$PROM1" 'count(kagent_host_info)' | jq -r '.[0].value[1]') from one collector, $(q "$PROM2" 'count(kagent_host_info)' | jq -r '.[0].value[1]') from two"

# The panels' queries, variables interpolated as Grafana would; then the
# alert expressions (a folded `expr: >` joined into one line).
jq -r '.. | objects | select(has("expr")) | .expr' ../packaging/grafana/kagent-fleet.json |
	sed -e 's/\$__rate_interval/5m/g; s/\$__interval/1m/g; s/\$__range/1h/g' \
		-e 's/\$cluster/hw|kmix|zk3/g; s/\$host/hw-broker/g' > "$T/panels"
awk '/^ *expr: >/ { f = 1; e = ""; next }
	f && /^ *for:/ { print e; f = 0; next }
	f { sub(/^ +/, ""); e = e (e == "" ? "" : " ") $0; next }
	/^ *expr: / { sub(/^ *expr: /, ""); print }' \
	../packaging/prometheus/kagent.rules.yml > "$T/alerts"
echo "$(wc -l < "$T/panels") panel queries, $(wc -l < "$T/alerts") alert expressions"
[ "$(wc -l < "$T/alerts")" = 8 ] || bad "want the 8 alert expressions"

# What one query gives: its series sorted, instance removed, each with its
# value unless the query reads a time (it moves between the two scrapes).
norm() { # norm PORT EXPR
	local v='.value[1]'
	case $2 in *last_seen* | *time\(\)*) v='"-"' ;; esac
	q "$1" "$2" | jq -c "[.[] | [(.metric | del(.instance)), $v]] | sort"
}
nonempty=0
while read -r e; do
	a=$(norm "$PROM1" "$e")
	b=$(norm "$PROM2" "$e")
	n=$(echo "$b" | jq length)
	[ "$n" -gt 0 ] && nonempty=$((nonempty + 1))
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		bad "$e: one collector $a, two $b"
	elif echo "$b" | jq -e 'map(.[0]) | length != (unique | length)' > /dev/null; then
		bad "$e: a series repeated"
	else
		echo "ok   $n series: $e"
	fi
done < <(cat "$T/panels" "$T/alerts")
echo "$nonempty queries with series"
[ "$nonempty" -ge 25 ] || bad "only $nonempty queries returned series"

# The per-host panels' bare selectors: twice the series from two.
checked=0
for s in $(grep -o 'kagent_[a-z_]*{host="hw-broker"}' "$T/panels" | sort -u); do
	a=$(q "$PROM1" "$s" | jq length)
	b=$(q "$PROM2" "$s" | jq length)
	[ "$a" -gt 0 ] || continue
	checked=$((checked + 1))
	[ "$b" = $((2 * a)) ] || bad "$s: $a series from one collector, $b from two, want $((2 * a))"
done
echo "$checked bare per-host selectors doubled by the second collector"
[ "$checked" -ge 10 ] || bad "only $checked per-host selectors had series"
[ $fail -eq 0 ] && echo PASS
exit $fail
