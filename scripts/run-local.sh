#!/bin/bash
# `make run`: a kcollectord and a kagentd for this machine on loopback over
# TLS, in a temporary directory with a CA and certificates made by
# packaging/kagent-ca; waits for the first acknowledged report, prints
# `kagent status` and `kagent fleet`, stops both.  Usage: run-local.sh BINDIR
set -eu
BIN=${1:-build/bin}
KAGENT_CA=$(dirname "$0")/../packaging/kagent-ca
T=$(mktemp -d)
COLL=
AGENT=
stop() {
	[ -n "$AGENT" ] && kill -TERM "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
	[ -n "$COLL" ] && kill -TERM "$COLL" 2>/dev/null && wait "$COLL" 2>/dev/null
	rm -rf "$T"
}
trap stop EXIT
# Two free loopback ports, bound and released.
read -r LP HP < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# The host's certificate names it by its host id (the host name, as
# kagentd would take it).  kagent-ca issues names only; the collector is
# reached by address, so its certificate is signed here by openssl with
# the same CA.  A reader's certificate is for `kagent fleet`.
HID=$(hostname)
CA=$T/ca
"$KAGENT_CA" init "$CA" > /dev/null
"$KAGENT_CA" issue "$CA" "$HID" > /dev/null
"$KAGENT_CA" issue "$CA" local-reader > /dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$CA/collector.key" -subj /CN=localhost \
	-out "$T/collector.csr" 2> /dev/null
printf '%s\n' "basicConstraints = critical,CA:FALSE" \
	"extendedKeyUsage = serverAuth" \
	"subjectAltName = IP:127.0.0.1,DNS:localhost" > "$T/collector.ext"
openssl x509 -req -in "$T/collector.csr" -CA "$CA/ca.pem" -CAkey "$CA/ca.key" \
	-set_serial "0x$(openssl rand -hex 16)" -days 1 \
	-extfile "$T/collector.ext" -out "$CA/collector.pem" 2> /dev/null
printf 'report %s local\nread local-reader\nread loopback\n' "$HID" > "$T/acl"

# Started as root, kagentd runs as [agent] user: it must reach the spool,
# read its certificate and key, and own its socket's directory.
chmod 755 "$T" "$CA"
chmod 644 "$CA/hosts/$HID.key"
mkdir "$T/spool" "$T/run"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/run"
cat > "$T/kagent.conf" <<CONF
[host]
cluster = local
[agent]
collector = 127.0.0.1:$LP
interval = 5
spool = $T/spool
socket = $T/run/kagent.sock
host_id = $HID
user = nobody
tls_ca = $CA/ca.pem
tls_cert = $CA/hosts/$HID.pem
tls_key = $CA/hosts/$HID.key
CONF
"$BIN/kcollectord" --listen "127.0.0.1:$LP" --http "127.0.0.1:$HP" \
	--db "$T/collector.db" --tls-ca "$CA/ca.pem" \
	--tls-cert "$CA/collector.pem" --tls-key "$CA/collector.key" \
	--acl "$T/acl" --user nobody 2> "$T/collector.log" &
COLL=$!
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/kagentd.log" &
AGENT=$!
for _ in $(seq 300); do
	acked=$("$BIN/kagent" status --socket "$T/run/kagent.sock" --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["last_acked_seq"])' \
		2>/dev/null || echo 0)
	[ "$acked" -ge 1 ] && break
	sleep 0.1
done
if [ "$acked" -lt 1 ]; then
	echo "run-local: no report acknowledged within 30 s" >&2
	cat "$T/collector.log" "$T/kagentd.log" >&2
	exit 1
fi
echo "\$ kagent status"
# Its exit status is the host's verdict (1 on warn), not a failure here.
"$BIN/kagent" status --socket "$T/run/kagent.sock" || echo "(exit $?: the verdict)"
echo
echo "\$ kagent fleet --collector https://127.0.0.1:$HP --tls-ca $CA/ca.pem --tls-cert $CA/hosts/local-reader.pem --tls-key $CA/hosts/local-reader.key"
"$BIN/kagent" fleet --collector "https://127.0.0.1:$HP" --tls-ca "$CA/ca.pem" \
	--tls-cert "$CA/hosts/local-reader.pem" \
	--tls-key "$CA/hosts/local-reader.key"
