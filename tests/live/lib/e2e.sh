# Shared by the end-to-end tests (tests/live/e2e_*.sh, sourced, not run):
# a real kcollectord and real kagentd processes on loopback over TLS,
# everything in one temporary directory $T: a CA made by kagent-ca, a
# certificate per host, one for the collector and one for `kagent fleet`.
# Needs $BIN (the build's bin directory) and runs from tests/.

T=$(mktemp -d)
# Started as root, kagentd runs as [agent] user: it must reach its spool,
# certificate and key below $T.
chmod 755 "$T"
E2E_PIDS=()
e2e_cleanup() {
	local p
	for p in "${E2E_PIDS[@]}" $COLL_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${E2E_PIDS[@]}" $COLL_PID; do
		wait "$p" 2>/dev/null
	done
	[ -z "${PG_DIR:-}" ] || pg_stop 2>/dev/null
	rm -rf "$T"
}
trap e2e_cleanup EXIT

# Two free loopback ports: bound, read back, released; the kernel does not
# hand the same ephemeral port out again at once.
read -r LISTEN_PORT HTTP_PORT < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
COLL_PID=
# Plain HTTP from loopback (curl), allowed by `read loopback`.
COLL_URL=http://127.0.0.1:$HTTP_PORT
CA=$T/ca
KAGENT_CA=../packaging/kagent-ca

# e2e_issue ID: a certificate with identity ID in $CA/hosts/ID.pem, its
# key readable by the unprivileged kagentd.
e2e_issue() {
	[ -e "$CA/hosts/$1.pem" ] && return 0
	"$KAGENT_CA" issue "$CA" "$1" > /dev/null || return 1
	chmod 644 "$CA/hosts/$1.key"
}

# The CA; the collector's certificate, checked by address (kagent-ca
# issues names only, so openssl signs this one with the same CA); the
# reader's; the ACL: the clusters of fixtures/e2e-fleet.hosts, the reader,
# and loopback.
e2e_pki() {
	"$KAGENT_CA" init "$CA" > /dev/null || return 1
	chmod 755 "$CA"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$CA/collector.key" -subj /CN=localhost \
		-out "$T/collector.csr" 2> /dev/null || return 1
	printf '%s\n' "basicConstraints = critical,CA:FALSE" \
		"extendedKeyUsage = serverAuth" \
		"subjectAltName = IP:127.0.0.1,DNS:localhost" > "$T/collector.ext"
	openssl x509 -req -in "$T/collector.csr" -CA "$CA/ca.pem" \
		-CAkey "$CA/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
		-days 30 -extfile "$T/collector.ext" \
		-out "$CA/collector.pem" 2> /dev/null || return 1
	e2e_issue fleet-reader || return 1
	{
		echo "report zk2-* zk2"
		echo "report zk3-* zk3"
		echo "report kafka2-* kafka2"
		echo "report kmix-* kmix"
		echo "report kcap-* kcap"
		echo "read fleet-reader"
		echo "read loopback"
	} > "$T/acl"
}
e2e_pki || { echo "FAIL certificates"; exit 1; }

# `kagent fleet` over https with the reader's certificate: e2e_fleet [ARG...]
e2e_fleet() {
	"$BIN/kagent" fleet --collector "https://127.0.0.1:$HTTP_PORT" \
		--tls-ca "$CA/ca.pem" --tls-cert "$CA/hosts/fleet-reader.pem" \
		--tls-key "$CA/hosts/fleet-reader.key" "$@"
}

# The collector's database: a SQLite file, or with E2E_PG=1 in the
# environment a PostgreSQL server of this test's own (lib/pg.sh), so that
# the same test proves the same on both stores.
COLL_DB=$T/collector.db
if [ -n "${E2E_PG:-}" ]; then
	. live/lib/pg.sh
	pg_start "$T/pg" || { echo "FAIL PostgreSQL did not start"; exit 1; }
	COLL_DB=$PG_URL
fi

# Starts kcollectord (again, after a stop: same ports, same database); its
# log accumulates in $T/collector.log over restarts.
e2e_collector_start() {
	"$BIN/kcollectord" --listen 127.0.0.1:$LISTEN_PORT \
		--http 127.0.0.1:$HTTP_PORT --db "$COLL_DB" \
		--tls-ca "$CA/ca.pem" --tls-cert "$CA/collector.pem" \
		--tls-key "$CA/collector.key" --acl "$T/acl" --user nobody \
		2>> "$T/collector.log" &
	COLL_PID=$!
	local i
	for i in $(seq 100); do
		curl -sf -o /dev/null "$COLL_URL/metrics" && return 0
		sleep 0.1
	done
	echo "FAIL kcollectord did not answer on $COLL_URL"
	cat "$T/collector.log"
	return 1
}

# e2e_collector_stop SIGNAL
e2e_collector_stop() {
	kill -"$1" "$COLL_PID"
	wait "$COLL_PID" 2>/dev/null
	COLL_PID=
}

# e2e_agent_start HOST_ID CLUSTER RACK ROLES SYSROOT [EXTRA]: a kagentd
# reporting every second, its spool, socket and log under $T/HOST_ID; EXTRA
# is more [agent] lines.  SYSROOT is below fixtures/ unless absolute.
# $E2E_AGENT_WRAP, when set, is a command kagentd is started through (its
# pid stays kagentd's when it execs).  A restart keeps the first
# configuration.  The agent's user owns $T/HOST_ID, so that it can remove
# its socket there.
e2e_agent_start() {
	local d=$T/$1
	mkdir -p "$d/spool"
	[ "$(id -u)" -ne 0 ] || chown nobody "$d"
	e2e_issue "$1" || return 1
	if [ ! -e "$d/kagent.conf" ]; then
		cat > "$d/kagent.conf" <<CONF
[host]
roles = $4
cluster = $2
rack = $3
[agent]
collector = 127.0.0.1:$LISTEN_PORT
interval = 1
health_interval = 1
spool = $d/spool
socket = $d/kagent.sock
host_id = $1
root = $(case $5 in /*) echo "$5" ;; *) echo "$PWD/fixtures/$5" ;; esac)
user = nobody
tls_ca = $CA/ca.pem
tls_cert = $CA/hosts/$1.pem
tls_key = $CA/hosts/$1.key
${6:-}
CONF
	fi
	${E2E_AGENT_WRAP:-} "$BIN/kagentd" --config "$d/kagent.conf" 2>> "$d/log" &
	eval "AGENT_PID_${1//-/_}=$!"
	E2E_PIDS+=($!)
}

# e2e_agent_pid HOST_ID
e2e_agent_pid() {
	local v="AGENT_PID_${1//-/_}"
	echo "${!v}"
}

# e2e_agent_stop HOST_ID SIGNAL
e2e_agent_stop() {
	local p
	p=$(e2e_agent_pid "$1")
	kill -"$2" "$p"
	wait "$p" 2>/dev/null
}

# Every host of fixtures/e2e-fleet.hosts, started.
e2e_fleet_start() {
	local id cluster rack roles root
	while read -r id cluster rack roles root; do
		case $id in '#'* | '') continue ;; esac
		e2e_agent_start "$id" "$cluster" "$rack" "$roles" "$root"
		E2E_HOSTS+=("$id")
	done < fixtures/e2e-fleet.hosts
}

# e2e_status HOST_ID: `kagent status --json` of that agent.
e2e_status() {
	"$BIN/kagent" status --socket "$T/$1/kagent.sock" --json
}

# e2e_wait_acked HOST_ID MIN TIMEOUT_S: until the agent's last
# acknowledged seq reaches MIN.
e2e_wait_acked() {
	local i n
	for i in $(seq $(($3 * 10))); do
		n=$(e2e_status "$1" 2>/dev/null | jq -r '.last_acked_seq // 0' 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
