#!/bin/bash
# Each daemon runs under its own seccomp filter (sandbox/): kcollectord
# over TLS with an ACL, kagentd started as root on this host's live root
# (the prober reads /sys, /proc, the disks' SMART and the sensors), the
# reports acknowledged, `kagent status`, `kagent fleet` over https and
# /metrics served, SIGHUP taken by both daemons, and every process still
# alive with "Seccomp: 2" (filter mode) and one filter in
# /proc/PID/status; SIGTERM stops both with exit 0.  With --no-seccomp
# no process has a filter.  That a call outside a list kills the process
# is test_sandbox's to show.  A sanitizer build installs no filter (it
# logs why): this test then checks that log line instead.
set -u
BIN=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL this test starts kagentd as root and creates a user: run it as root"
	exit 1
fi
U=kagent-sb-$$
T=$(mktemp -d)
CPID=; APID=
cleanup() {
	kill $CPID $APID 2>/dev/null
	wait 2>/dev/null
	userdel "$U" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail=0
want() { # name got expected
	if [ "$2" = "$3" ]; then
		echo "ok   $1: $2"
	else
		echo "FAIL $1: got '$2', want '$3'"
		fail=1
	fi
}
field() { # pid field
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null
}
useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin --user-group "$U" || { echo "FAIL useradd $U"; exit 1; }

issue() { # NAME SAN
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$1" 2>/dev/null &&
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$2" > "$T/$1.ext" &&
	openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
		-CAcreateserial -days 30 -extfile "$T/$1.ext" \
		-out "$T/$1.crt" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/ca.key" -out "$T/ca.crt" -days 30 -subj /CN=kagent-test-ca 2>/dev/null || exit 1
issue collector "IP:127.0.0.1" || exit 1
issue host "URI:kagent://host/sb-1" || exit 1
issue reader "DNS:ops-1" || exit 1
printf 'report sb-* sb\nread ops-*\nread loopback\n' > "$T/acl"
chmod 755 "$T"
chmod 644 "$T"/*.key
mkdir "$T/spool"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_both [--no-seccomp]: kcollectord and kagentd, until a report is
# acknowledged.
start_both() {
	AP=$(port); HP=$(port)
	"$BIN/kcollectord" "$@" --user nobody --listen 127.0.0.1:$AP --http 127.0.0.1:$HP \
		--db "$T/c.db" --tls-ca "$T/ca.crt" --tls-cert "$T/collector.crt" \
		--tls-key "$T/collector.key" --acl "$T/acl" 2> "$T/clog" &
	CPID=$!
	cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka,zookeeper
cluster = sb
rack = r1
[agent]
collector = 127.0.0.1:$AP
interval = 1
health_interval = 1
smart_interval = 2
spool = $T/spool
socket = $T/kagent.sock
host_id = sb-1
user = $U
root = /
tls_ca = $T/ca.crt
tls_cert = $T/host.crt
tls_key = $T/host.key
CONF
	"$BIN/kagentd" --config "$T/kagent.conf" "$@" 2> "$T/alog" &
	APID=$!
	acked=0
	for _ in $(seq 150); do
		acked=$("$BIN/kagent" status --socket "$T/kagent.sock" --json 2>/dev/null |
			jq -r .last_acked_seq 2>/dev/null)
		[ "${acked:-0}" -ge 2 ] 2>/dev/null && break
		sleep 0.1
	done
	WATCH=$(tr -d ' ' < "/proc/$APID/task/$APID/children" 2>/dev/null)
	PROBER=$(tr -d ' ' < "/proc/${WATCH:-0}/task/${WATCH:-0}/children" 2>/dev/null)
	echo "kcollectord $CPID, kagentd $APID, watchdog ${WATCH:-none}, prober ${PROBER:-none}, acked ${acked:-none}"
	[ "${acked:-0}" -ge 2 ] 2>/dev/null || { echo "FAIL no second report acknowledged"; fail=1; }
	[ -n "$WATCH" ] || { echo "FAIL no prober watchdog"; fail=1; WATCH=$APID; }
	[ -n "$PROBER" ] || { echo "FAIL no prober"; fail=1; PROBER=$APID; }
}

stop_both() {
	kill -TERM $APID; wait $APID
	want "kagentd exit status after SIGTERM" $? 0
	kill -TERM $CPID; wait $CPID
	want "kcollectord exit status after SIGTERM" $? 0
	APID=; CPID=
}

start_both
if grep -q "seccomp: skipped: sanitizer build" "$T/alog"; then
	want "kcollectord's log" "$(grep -c 'kcollectord: seccomp: skipped: sanitizer build' "$T/clog")" 1
	want "kagentd's three lines" "$(grep -c 'seccomp: skipped: sanitizer build' "$T/alog")" 3
	stop_both
	exit $fail
fi
want "kcollectord log" "$(grep -c '^kcollectord: seccomp: collector filter installed$' "$T/clog")" 1
want "kagentd log" "$(grep -c '^kagentd: seccomp: agent filter installed$' "$T/alog")" 1
want "prober log" "$(grep -c '^kagentd prober: seccomp: prober filter installed$' "$T/alog")" 1
want "watchdog log" "$(grep -c '^kagentd prober watchdog: seccomp: watchdog filter installed$' "$T/alog")" 1

echo "--- the daemons at work under their filters"
OUT=$("$BIN/kagent" status --socket "$T/kagent.sock" --json)
want "status connection" "$(echo "$OUT" | jq -r .connection)" connected
want "status tls mode" "$(echo "$OUT" | jq -r .tls.mode)" tls
FLEET=$("$BIN/kagent" fleet --collector https://127.0.0.1:$HP --tls-ca "$T/ca.crt" \
	--tls-cert "$T/reader.crt" --tls-key "$T/reader.key")
want "kagent fleet over https lists sb-1" "$(echo "$FLEET" | grep -c '^sb-1 ')" 1
M=$(curl -sf "http://127.0.0.1:$HP/metrics")
want "/metrics over loopback has kagent_collector_reports_total" \
	"$(echo "$M" | grep -c '^kagent_collector_reports_total ')" 1
kill -HUP $CPID $APID
for _ in $(seq 50); do
	grep -q "reload: certificates reloaded" "$T/alog" &&
		grep -q "reload: certificates and ACL reloaded" "$T/clog" && break
	sleep 0.1
done
want "kagentd reloaded on SIGHUP" "$(grep -c 'reload: certificates reloaded' "$T/alog")" 1
want "kcollectord reloaded on SIGHUP" "$(grep -c 'reload: certificates and ACL reloaded' "$T/clog")" 1
# A few more cycles: health, full reports and a SMART refresh.
before=$("$BIN/kagent" status --socket "$T/kagent.sock" --json | jq -r .last_acked_seq)
sleep 3
after=$("$BIN/kagent" status --socket "$T/kagent.sock" --json | jq -r .last_acked_seq)
echo "acked seq $before, 3 s later $after"
[ "$after" -gt "$before" ] 2>/dev/null || { echo "FAIL no report acknowledged after SIGHUP"; fail=1; }

# The prober (the watchdog's worker) carries the watchdog's filter and
# its own on top.
for p in "kcollectord:$CPID:1" "kagentd:$APID:1" "watchdog:$WATCH:1" "prober:${PROBER}:2"; do
	set -- ${p//:/ }
	want "$1 Seccomp" "$(field "$2" Seccomp)" 2
	want "$1 Seccomp_filters" "$(field "$2" Seccomp_filters)" "$3"
	want "$1 NoNewPrivs" "$(field "$2" NoNewPrivs)" 1
done
for p in "$CPID" "$APID"; do
	for t in /proc/$p/task/*; do
		want "thread ${t##*/} of $p Seccomp" "$(sed -n 's/^Seccomp:[[:space:]]*//p' "$t/status")" 2
	done
done
stop_both
grep -i "sigsys\|bad system call" "$T/alog" "$T/clog" && fail=1

echo "--- --no-seccomp"
rm -rf "$T/spool"/* "$T/c.db"
start_both --no-seccomp
want "kcollectord log" "$(grep -c '^kcollectord: seccomp: off (--no-seccomp)$' "$T/clog")" 1
want "kagentd logs (its three processes)" "$(grep -c 'seccomp: off (--no-seccomp)$' "$T/alog")" 3
for p in "kcollectord:$CPID" "kagentd:$APID" "watchdog:$WATCH" "prober:${PROBER}"; do
	want "${p%%:*} Seccomp" "$(field "${p#*:}" Seccomp)" 0
done
stop_both
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/alog"; echo "--- kcollectord log"; cat "$T/clog"; }
exit $fail
