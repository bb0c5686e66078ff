#!/bin/bash
# kagentd → kcollectord over TLS end to end, with a CA and certificates
# made here by the openssl command: kagentd refuses to start without
# tls_* keys; with them its reports are acknowledged, `kagent status`
# shows the certificate's days left, SIGHUP reloads the certificates (issued for 10 days: a warning, and
# check agent.tls.expiry warns), and `kagent fleet` over https with a
# reader's certificate lists the host.
set -u
BIN=$1
T=$(mktemp -d)
CPID=; APID=
trap 'kill $CPID $APID 2>/dev/null; rm -rf "$T"' EXIT
fail=0

issue() { # NAME SAN DAYS
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$1" 2>/dev/null &&
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$2" > "$T/$1.ext" &&
	openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
		-CAcreateserial -days "$3" -extfile "$T/$1.ext" \
		-out "$T/$1.crt" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/ca.key" -out "$T/ca.crt" -days 30 -subj /CN=kagent-test-ca 2>/dev/null || exit 1
issue collector "IP:127.0.0.1" 30 || exit 1
issue host "URI:kagent://host/test-1" 10 || exit 1
issue reader "DNS:ops-1" 30 || exit 1
printf 'report test-* test\nread ops-*\n' > "$T/acl"
# Started as root, kagentd's network side runs as [agent] user and reads
# its certificate and key (also on SIGHUP) as that user.
chmod 755 "$T"
chmod 644 "$T"/*.key

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
AP=$(port); HP=$(port)
"$BIN/kcollectord" --listen 127.0.0.1:$AP --http 127.0.0.1:$HP --db "$T/c.db" \
	--tls-ca "$T/ca.crt" --tls-cert "$T/collector.crt" --tls-key "$T/collector.key" \
	--acl "$T/acl" --user nobody 2> "$T/clog" &
CPID=$!

mkdir "$T/spool"
conf() {
	cat <<CONF
[host]
roles = kafka,zookeeper
cluster = test
rack = r1
[agent]
collector = 127.0.0.1:$AP
interval = 1
health_interval = 1
spool = $T/spool
socket = $T/kagent.sock
host_id = test-1
user = nobody
root = $PWD/fixtures/host-broker
CONF
}
conf > "$T/notls.conf"
"$BIN/kagentd" --config "$T/notls.conf" 2> "$T/notls.log"
rc=$?
echo "kagentd without tls_* keys: exit $rc (want non-zero): $(cat "$T/notls.log")"
[ $rc -ne 0 ] || fail=1
grep -q "set tls_ca tls_cert tls_key (or insecure = yes" "$T/notls.log" || { echo "FAIL message"; fail=1; }

{ conf; printf 'tls_ca = %s\ntls_cert = %s\ntls_key = %s\n' "$T/ca.crt" "$T/host.crt" "$T/host.key"; } > "$T/kagent.conf"
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/alog" &
APID=$!
acked=0
for _ in $(seq 100); do
	OUT=$("$BIN/kagent" status --socket "$T/kagent.sock" --json 2>/dev/null)
	acked=$(echo "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_acked_seq"])' 2>/dev/null || echo 0)
	[ "$acked" -ge 1 ] 2>/dev/null && break
	sleep 0.1
done
echo "status: $OUT"
python3 - "$OUT" <<'PY' || fail=1
import json, sys
d = json.loads(sys.argv[1])
t = d["tls"]
want = [("connection connected", d["connection"] == "connected"),
        ("last_acked_seq >= 1", d["last_acked_seq"] >= 1),
        ("tls mode tls", t["mode"] == "tls"),
        ("tls identity test-1", t["identity"] == "test-1"),
        ("tls days_left 10 (issued for 10 days)", t["days_left"] == 10),
        ("tls expired false", t["expired"] is False),
        ("tls warning within 14 days", t["warning"] == "the certificate expires in 10 day(s): renew it"),
        ("agent.tls.expiry warn 10 days left, as the status says",
         any(c["id"] == "agent.tls.expiry" and c["severity"] == "warn" and
             c["measured"] == "10 days left" for c in d["checks"]))]
for name, ok in want:
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(0 if all(ok for _, ok in want) else 1)
PY
TEXT=$("$BIN/kagent" status --socket "$T/kagent.sock")
echo "$TEXT" | grep -E "^(tls|WARNING)"
echo "$TEXT" | grep -q "^WARNING          the certificate expires in 10 day(s): renew it$" || { echo "FAIL text warning"; fail=1; }

FLEET=$("$BIN/kagent" fleet --collector https://127.0.0.1:$HP --tls-ca "$T/ca.crt" \
	--tls-cert "$T/reader.crt" --tls-key "$T/reader.key")
rc=$?
echo "$FLEET"
echo "kagent fleet over https: exit $rc (want 0)"
[ $rc -eq 0 ] || fail=1
echo "$FLEET" | grep -q "^test-1 " || { echo "FAIL test-1 not in the fleet"; fail=1; }
# The host's own certificate is not a reader's.
"$BIN/kagent" fleet --collector https://127.0.0.1:$HP --tls-ca "$T/ca.crt" \
	--tls-cert "$T/host.crt" --tls-key "$T/host.key" > /dev/null 2> "$T/ferr"
rc=$?
echo "kagent fleet with the host's certificate: exit $rc, $(cat "$T/ferr")"
grep -q "HTTP 403" "$T/ferr" || { echo "FAIL want 403"; fail=1; }
# SIGHUP re-reads the agent's certificates; its connection stays up.
kill -HUP $APID
for _ in $(seq 50); do grep -q "reload: certificates reloaded" "$T/alog" && break; sleep 0.1; done
grep "reload:" "$T/alog" || { echo "FAIL no reload line"; fail=1; }
CONN=$("$BIN/kagent" status --socket "$T/kagent.sock" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["connection"])')
echo "connection after SIGHUP: $CONN (want connected)"
[ "$CONN" = connected ] || fail=1
kill -TERM $APID; wait $APID; echo "kagentd exit: $?"
kill -TERM $CPID; wait $CPID; echo "kcollectord exit: $?"
APID=; CPID=
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/alog"; echo "--- kcollectord log"; cat "$T/clog"; }
exit $fail
