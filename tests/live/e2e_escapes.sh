#!/bin/bash
# Strings that reach the operator's terminal from outside: a rack with
# an OSC title sequence and an SGR colour (from kagent.conf, through the
# report and the collector to `kagent fleet`), and a Kafka property whose
# value holds ESC, BEL, DEL and the byte 0x9b, which a .properties file
# (ISO-8859-1) reads as the C1 control CSI (through the check message to
# `kagent status` and `kagent check`).  Each must print escaped, exactly
# as text_esc.h says; no raw control byte may be printed.
set -u
BIN=$1
. live/lib/e2e.sh
fail=0
ID=kafka2-esc
bad() { echo "FAIL $1"; fail=1; }

ROOT=$T/root
cp -a fixtures/e2e-kafka-3.6.1 "$ROOT"
# Its proc, sys and tmp are links to host-broker's, relative to fixtures/.
for d in proc sys tmp; do
	ln -sfn "$PWD/fixtures/host-broker/$d" "$ROOT/$d"
done
printf 'ssl.keystore.location=/etc/kafka/\033]0;pwn\007\233""2J\177ks.jks\n' \
	>> "$ROOT/etc/kafka/server.properties"
mkdir -p "$T/$ID/spool"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/$ID"
e2e_issue "$ID" || exit 1
{
	printf '[host]\nroles = kafka\ncluster = kafka2\n'
	printf 'rack = r1\033]0;owned\007\033[31m\n'
	cat <<CONF
[agent]
collector = 127.0.0.1:$LISTEN_PORT
interval = 1
health_interval = 1
spool = $T/$ID/spool
socket = $T/$ID/kagent.sock
host_id = $ID
root = $ROOT
user = nobody
tls_ca = $CA/ca.pem
tls_cert = $CA/hosts/$ID.pem
tls_key = $CA/hosts/$ID.key
CONF
} > "$T/$ID/kagent.conf"

e2e_collector_start || exit 1
e2e_agent_start "$ID" || exit 1
e2e_wait_acked "$ID" 1 30 || bad "no report acknowledged"

# no_raw NAME TEXT: no byte below 0x20 but newline, no DEL, no 0x9b and
# no U+009B (c2 9b) in TEXT.
no_raw() {
	local n
	n=$(printf '%s' "$2" | LC_ALL=C tr -d '\n' | LC_ALL=C grep -c $'[\x01-\x1f\x7f\x9b]')
	[ "$n" = 0 ] || {
		bad "$1: raw control bytes printed"
		printf '%s' "$2" | LC_ALL=C grep -o $'.\{0,20\}[\x01-\x1f\x7f\x9b].\{0,20\}' | od -c | head -5
	}
	printf '%s' "$2" | LC_ALL=C grep -q $'\xc2\x9b' && bad "$1: raw U+009B printed"
	return 0
}

OUT=$(e2e_fleet)
no_raw "kagent fleet" "$OUT"
LINE=$(echo "$OUT" | grep "^$ID ")
echo "fleet: $LINE"
WANT=$(printf '%-24s %-12s %-16s %-8s %-8s %-16s %-7s ' "$ID" kafka2 kafka \
	'r1\x1b]0;owned\x07\x1b[31m' - - warn)
[[ $LINE == "$WANT"* ]] || bad "kagent fleet host line, want it to start with '$WANT'"

OUT=$("$BIN/kagent" status --socket "$T/$ID/kagent.sock")
no_raw "kagent status" "$OUT"
P='/etc/kafka/\x1b]0;pwn\x07\u009b""2J\x7fks.jks'
WANT="  unknown  kafka.security.secret_files  $P: $P named by ssl.keystore.location: No such file or directory"
echo "$OUT" | grep -F secret_files
echo "$OUT" | grep -qxF "$WANT" || bad "kagent status check line"

OUT=$("$BIN/kagent" status --socket "$T/$ID/kagent.sock" --json)
no_raw "kagent status --json" "$OUT"
echo "$OUT" | grep -qF '"instance":"/etc/kafka/\u001B]0;pwn\u0007\u009B\"\"2J\u007fks.jks"' ||
	bad "kagent status --json instance"

OUT=$("$BIN/kagent" check --root "$ROOT" --config "$T/$ID/kagent.conf")
no_raw "kagent check" "$OUT"
echo "$OUT" | grep -qF "kafka.security.secret_files $P unknown" || bad "kagent check line"
[ $fail -eq 0 ] || { echo "--- agent log"; cat "$T/$ID/log"; }

exit $fail
