#!/bin/bash
# kagentd as a systemd service expects of it, against the protocol's own
# socket (the test binds $NOTIFY_SOCKET and reads what arrives, as the
# manager would):
#  - READY=1 once the prober runs and the control socket listens, then a
#    STATUS= line with the last report and the collector's state;
#  - WATCHDOG=1 at half $WATCHDOG_USEC from the event loop: a stopped
#    process sends none;
#  - SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1;
#  - SIGTERM: STOPPING=1;
#  - log lines carry journald's "<N>" only when stderr is $JOURNAL_STREAM's;
#  - -t checks the configuration, the collector's address, certificates
#    and the spool's and socket's folders, naming what is wrong.
set -u
BIN=$1
T=$(mktemp -d)
PID=
LPID=
fail=0
cleanup() {
	[ -n "$PID" ] && kill -CONT "$PID" 2>/dev/null && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
chmod 755 "$T"
mkdir "$T/spool" "$T/run"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/run"
# Port 1 (tcpmux) is closed on a test machine: connect is refused.
cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka
cluster = test
[agent]
collector = 127.0.0.1:1
insecure = yes
interval = 1
health_interval = 1
spool = $T/spool
socket = $T/run/kagent.sock
user = nobody
host_id = test-1
root = $PWD/fixtures/host-broker
CONF

python3 live/lib/notify_listener.py "$T/notify" "$T/got" &
LPID=$!
for _ in $(seq 50); do [ -S "$T/notify" ] && break; sleep 0.1; done

: > "$T/log"
JS=$(stat -c '%d:%i' "$T/log")
NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=1000000 JOURNAL_STREAM=$JS \
	"$BIN/kagentd" --config "$T/kagent.conf" 2>> "$T/log" &
PID=$!
for _ in $(seq 100); do grep -q READY=1 "$T/got" 2>/dev/null && break; sleep 0.1; done
first=$(head -1 "$T/got" | cut -f2)
check "the first notification is READY=1 ($first)" test "$first" = "READY=1"
check "the control socket listens once READY=1 was sent" test -S "$T/run/kagent.sock"
sleep 2.5
st=$(grep $'\tSTATUS=' "$T/got" | tail -1 | cut -f2)
want='^STATUS=last report seq [0-9]+ [0-9]+s ago; collector 127\.0\.0\.1:1 (backoff|connecting), acked seq 0; spool [0-9]+ reports?$'
check "STATUS names the last report and the collector ($st)" grep -Eq "$want" <<<"$st"
n=$(grep -c $'\tWATCHDOG=1$' "$T/got")
check "WATCHDOG=1 every 0.5 s: 3 to 7 in about 2.5 s ($n)" test "$n" -ge 3 -a "$n" -le 7
kill -STOP "$PID"
sleep 0.3
before=$(grep -c $'\tWATCHDOG=1$' "$T/got")
sleep 1.5
after=$(grep -c $'\tWATCHDOG=1$' "$T/got")
check "a stopped loop feeds no watchdog ($before then $after)" test "$before" = "$after"
kill -CONT "$PID"
sleep 1
after2=$(grep -c $'\tWATCHDOG=1$' "$T/got")
check "fed again once it runs ($after then $after2)" test "$after2" -gt "$after"

lines_before=$(wc -l < "$T/got")
kill -HUP "$PID"
for _ in $(seq 50); do
	tail -n +$((lines_before + 1)) "$T/got" | grep -q $'\tREADY=1$' && break
	sleep 0.1
done
seqs=$(tail -n +$((lines_before + 1)) "$T/got" | cut -f2 | grep -v -e '^WATCHDOG=1$' -e '^STATUS=' |
	sed 's/MONOTONIC_USEC=[0-9]*/MONOTONIC_USEC=N/' | head -2 | tr '\n' ';')
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1 ($seqs)" \
	test "$seqs" = "RELOADING=1|MONOTONIC_USEC=N;READY=1;"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
check "SIGTERM: exit 0 ($rc)" test $rc = 0
last=$(grep -v -e $'\tWATCHDOG=1$' -e $'\tSTATUS=' "$T/got" | tail -1 | cut -f2)
check "SIGTERM: STOPPING=1 last ($last)" test "$last" = "STOPPING=1"

l=$(grep -F 'WARNING: insecure = yes' "$T/log")
check "a WARNING line at priority 4 ($l)" \
	test "$l" = "<4>kagentd: WARNING: insecure = yes: reports go to 127.0.0.1:1 in plaintext, unauthenticated"
l=$(grep -F 'collector 127.0.0.1:1: backoff: ' "$T/log" | head -1)
check "a failed connection at priority 4 ($l)" grep -q '^<4>kagentd: collector 127.0.0.1:1: backoff: ' <<<"$l"
l=$(grep -F 'stopping' "$T/log")
check "the stop at priority 5 ($l)" test "$l" = "<5>kagentd: Terminated, stopping"
bad=$(grep -v '^<[0-7]>kagentd' "$T/log" | grep -v '^kagentd prober' | head -3)
check "every line of the network side has a priority (without: ${bad:-none})" test -z "$bad"

# -t: good, then each thing it checks, broken one at a time.
out=$("$BIN/kagentd" -t --config "$T/kagent.conf" 2>&1); rc=$?
check "-t on a good configuration: exit 0 ($rc) ($out)" \
	test $rc = 0 -a "$out" = "kagentd: $T/kagent.conf: ok: host test-1, collector 127.0.0.1:1 (plaintext), spool $T/spool"
sed "s|^spool = .*|spool = $T/nope|" "$T/kagent.conf" > "$T/k2.conf"
out=$("$BIN/kagentd" --test --config "$T/k2.conf" 2>&1); rc=$?
check "-t with a missing spool folder: exit 1 ($rc) ($out)" \
	test $rc = 1 -a "$out" = "kagentd: $T/k2.conf: spool $T/nope: No such file or directory"
sed "s|^collector = .*|collector = 127.0.0.1:99999|" "$T/kagent.conf" > "$T/k3.conf"
out=$("$BIN/kagentd" -t --config "$T/k3.conf" 2>&1); rc=$?
check "-t with a bad collector port: exit 1 ($rc), named ($out)" \
	test $rc = 1 -a -n "$(grep -F '99999' <<<"$out")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=ca -keyout "$T/ca.key" -out "$T/ca.pem" 2> /dev/null
sed -e "s|^insecure = yes|tls_ca = $T/ca.pem\ntls_cert = $T/ca.key\ntls_key = $T/ca.key|" "$T/kagent.conf" > "$T/k4.conf"
out=$("$BIN/kagentd" -t --config "$T/k4.conf" 2>&1); rc=$?
check "-t with a key where the certificate should be: exit 1 ($rc), named ($out)" \
	test $rc = 1 -a -n "$(grep -F "$T/k4.conf: tls: certificate $T/ca.key" <<<"$out")"
check "-t started no daemon (no socket left)" test ! -e "$T/run/kagent.sock"
exit $fail
