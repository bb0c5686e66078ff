#!/bin/bash
# Retiring a host: `kagent fleet --forget HOST` over TLS against a real
# kcollectord fed by real kagentd processes (hosts zk3-a/b/c, fixture
# e2e-zk3).  The ACL names fleet-reader in a `read` rule and fleet-admin
# in an `admin` rule:
#   1. the reader's certificate and plaintext loopback get 403 for DELETE,
#      the admin's gets 403 for a read (admin does not imply read);
#   2. with zk3-c's agent stopped, the admin forgets it: its /api entries,
#      check history and /metrics series are gone, the collector logs who
#      asked; forgetting it again is 404;
#   3. zk3-c's agent starts again and the host reappears, its check
#      history begun afresh;
#   4. `kagent fleet HOST` shows only the hosts named, exit 1 for one the
#      fleet does not have.
# Usage: bash fleet_forget.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=${1:?usage: fleet_forget.sh BUILD_BIN_DIR}
for need in jq python3 curl openssl; do
	command -v $need >/dev/null || { echo "FAIL $need is not installed"; exit 1; }
done
. live/lib/e2e.sh
e2e_issue fleet-admin || { echo "FAIL certificates"; exit 1; }
echo "admin fleet-admin" >> "$T/acl"
e2e_admin() {
	"$BIN/kagent" fleet --collector "https://127.0.0.1:$HTTP_PORT" \
		--tls-ca "$CA/ca.pem" --tls-cert "$CA/hosts/fleet-admin.pem" \
		--tls-key "$CA/hosts/fleet-admin.key" "$@"
}
fail=0
# expect NAME WANT GOT
expect() {
	if [ "$2" == "$3" ]; then
		echo "ok   $1: $3"
	else
		echo "FAIL $1: want '$2', got '$3'"
		fail=1
	fi
}
e2e_collector_start || exit 1
for h in zk3-a zk3-b zk3-c; do
	e2e_agent_start "$h" zk3 "r-$h" zookeeper e2e-zk3
done
for h in zk3-a zk3-b zk3-c; do
	e2e_wait_acked "$h" 2 30 || { echo "FAIL $h: no report acknowledged"; exit 1; }
done
CHECKS=$(curl -sf "$COLL_URL/api/hosts/zk3-c" | jq -c '[.checks[].id] | sort')
HIST=$(curl -sf "$COLL_URL/api/hosts/zk3-c/history" | jq -c '[.history[].check_id] | sort')
expect "zk3-c history: one change per check, its first sighting" "$CHECKS" "$HIST"
expect "history limit" 200 "$(curl -sf "$COLL_URL/api/hosts/zk3-c/history" | jq .limit)"
expect "zk3-c series in /metrics before" yes \
	"$(curl -sf "$COLL_URL/metrics" | grep -q 'host="zk3-c"' && echo yes || echo no)"

# 1. Refusals.
OUT=$(e2e_fleet --forget zk3-c 2>&1); rc=$?
expect "reader's --forget exit status" 2 "$rc"
expect "reader's --forget answer" "kagent fleet: https://127.0.0.1:$HTTP_PORT: HTTP 403: {\"error\":\"forbidden\"}" "$OUT"
expect "plaintext loopback DELETE" 403 \
	"$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$COLL_URL/api/hosts/zk3-c")"
e2e_admin > /dev/null 2>&1; rc=$?
expect "admin's read (no read rule)" 2 "$rc"
expect "log names the refused reader" 1 \
	"$(grep -c 'identity fleet-reader: 403: no admin rule of the ACL matches' "$T/collector.log")"
expect "zk3-c still there" 200 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$COLL_URL/api/hosts/zk3-c")"

# 2. Forget zk3-c, its agent stopped first.
e2e_agent_stop zk3-c TERM
OUT=$(e2e_admin --forget zk3-c 2>&1); rc=$?
expect "admin's --forget exit status" 0 "$rc"
expect "admin's --forget output" "kagent fleet: zk3-c forgotten" "$OUT"
expect "fleet hosts after" '["zk3-a","zk3-b"]' \
	"$(curl -sf "$COLL_URL/api/fleet" | jq -c '[.hosts[].host_id]')"
expect "/api/hosts/zk3-c after" 404 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$COLL_URL/api/hosts/zk3-c")"
expect "/api/hosts/zk3-c/history after" 404 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$COLL_URL/api/hosts/zk3-c/history")"
expect "zk3-c series in /metrics after" 0 \
	"$(curl -sf "$COLL_URL/metrics" | grep -c 'host="zk3-c"')"
expect "zk3-a series in /metrics after" yes \
	"$(curl -sf "$COLL_URL/metrics" | grep -q 'host="zk3-a"' && echo yes || echo no)"
expect "log names who forgot" 1 \
	"$(grep -c 'identity fleet-admin: forget host zk3-c: forgotten' "$T/collector.log")"
OUT=$(e2e_admin --forget zk3-c 2>&1); rc=$?
expect "forgetting it again: exit status" 2 "$rc"
expect "forgetting it again: answer" "kagent fleet: https://127.0.0.1:$HTTP_PORT: HTTP 404: {\"error\":\"no such host\"}" "$OUT"
OUT=$(e2e_admin --forget 'bad id' 2>&1); rc=$?
expect "--forget of a malformed id: exit status" 2 "$rc"

# 3. The agent comes back, and so does the host.
e2e_agent_start zk3-c zk3 r-zk3-c zookeeper e2e-zk3
for i in $(seq 100); do
	curl -sf -o /dev/null "$COLL_URL/api/hosts/zk3-c" && break
	sleep 0.1
done
expect "fleet hosts after zk3-c reports again" '["zk3-a","zk3-b","zk3-c"]' \
	"$(curl -sf "$COLL_URL/api/fleet" | jq -c '[.hosts[].host_id]')"
expect "zk3-c history begun afresh" "$CHECKS" \
	"$(curl -sf "$COLL_URL/api/hosts/zk3-c/history" | jq -c '[.history[].check_id] | sort')"

# 4. Host ids on the command line.
expect "kagent fleet zk3-b --json: hosts" '["zk3-b"]' \
	"$(e2e_fleet --json zk3-b | jq -c '[.hosts[].host_id]')"
expect "kagent fleet zk3-b --json: clusters" '["zk3"]' \
	"$(e2e_fleet --json zk3-b | jq -c '[.clusters[].name]')"
OUT=$(e2e_fleet zk3-a nosuch 2>&1 >/dev/null); rc=$?
expect "kagent fleet of an unknown host: exit status" 1 "$rc"
expect "kagent fleet of an unknown host: message" "kagent fleet: no host 'nosuch' in the fleet" "$OUT"
[ $fail -eq 0 ] || cat "$T/collector.log"
exit $fail
