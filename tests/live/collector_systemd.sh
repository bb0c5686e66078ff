#!/bin/bash
# kcollectord as a systemd service expects of it, against the protocol's
# own socket (this test binds $NOTIFY_SOCKET and reads what arrives, as
# systemd's manager would):
#  - READY=1 once both ports listen, with a STATUS= line;
#  - WATCHDOG=1 at half of $WATCHDOG_USEC, fed by the event loop: a
#    stopped process (SIGSTOP) sends none;
#  - SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1;
#  - SIGTERM: STOPPING=1;
#  - log lines carry journald's "<N>" priority only when stderr is the
#    stream $JOURNAL_STREAM names;
#  - -t checks the configuration, certificates and ACL without binding.
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
read -r AP HP < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
ARGS=(--insecure --listen 127.0.0.1:$AP --http 127.0.0.1:$HP --db "$T/c.db")
[ "$(id -u)" = 0 ] && ARGS+=(--user nobody)

# The manager's end (lib/notify_listener.py).
python3 live/lib/notify_listener.py "$T/notify" "$T/got" &
LPID=$!
for _ in $(seq 50); do [ -S "$T/notify" ] && break; sleep 0.1; done

: > "$T/log"
JS=$(stat -c '%d:%i' "$T/log")
NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=1000000 JOURNAL_STREAM=$JS \
	"$BIN/kcollectord" "${ARGS[@]}" 2>> "$T/log" &
PID=$!
for _ in $(seq 100); do grep -q READY=1 "$T/got" 2>/dev/null && break; sleep 0.1; done
first=$(head -1 "$T/got" | cut -f2)
check "the first notification is READY=1 ($first)" test "$first" = "READY=1"
st=$(grep -m1 $'\tSTATUS=' "$T/got" | cut -f2)
check "then a STATUS line ($st)" test "$st" = "STATUS=0 agent connections, 0 reports stored, 0 reloads (0 failed)"
curl -sf -o /dev/null "http://127.0.0.1:$HP/metrics"
check "serving once READY=1 was sent" test $? = 0

sleep 2.2
n=$(grep -c $'\tWATCHDOG=1$' "$T/got")
check "WATCHDOG=1 every 0.5 s: 4 or 5 in 2.2 s ($n)" test "$n" -ge 3 -a "$n" -le 6
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

: > "$T/got.mark"
lines_before=$(wc -l < "$T/got")
kill -HUP "$PID"
for _ in $(seq 50); do
	tail -n +$((lines_before + 1)) "$T/got" | grep -q $'\tREADY=1$' && break
	sleep 0.1
done
seqs=$(tail -n +$((lines_before + 1)) "$T/got" | cut -f2 | grep -v '^WATCHDOG=1$' | sed 's/MONOTONIC_USEC=[0-9]*/MONOTONIC_USEC=N/' | head -3 | tr '\n' ';')
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC, READY=1, STATUS ($seqs)" \
	test "$seqs" = "RELOADING=1|MONOTONIC_USEC=N;READY=1;STATUS=0 agent connections, 0 reports stored, 1 reloads (0 failed);"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
check "SIGTERM: exit 0 ($rc)" test $rc = 0
last=$(grep -v $'\tWATCHDOG=1$' "$T/got" | tail -1 | cut -f2)
check "SIGTERM: STOPPING=1 last ($last)" test "$last" = "STOPPING=1"

# Priorities: journald's stream gets "<N>", the same words as plain text.
l=$(grep -F 'WARNING: --insecure' "$T/log")
check "a WARNING line at priority 4 ($l)" \
	test "$l" = "<4>kcollectord: WARNING: --insecure: plaintext without authentication; any host can report as any other"
l=$(grep -F 'agents on' "$T/log" | cut -c1-22)
check "the start line at priority 6 ($l)" test "$l" = "<6>kcollectord: agents"
l=$(grep -F 'reload:' "$T/log")
check "the reload at priority 6 ($l)" test "$l" = "<6>kcollectord: reload: certificates and ACL reloaded for new connections"
bad=$(grep -v "^<[0-7]>kcollectord: " "$T/log" | head -3)
check "every line has a priority (without: ${bad:-none})" test -z "$bad"

# A JOURNAL_STREAM that is not our stderr (inherited by a child writing
# elsewhere): plain lines.
JOURNAL_STREAM=$JS timeout 1 "$BIN/kcollectord" "${ARGS[@]}" 2> "$T/log2"
l=$(grep -F 'WARNING: --insecure' "$T/log2")
check "another stream: no prefix ($l)" \
	test "$l" = "kcollectord: WARNING: --insecure: plaintext without authentication; any host can report as any other"
NOTIFY_SOCKET=relative/path timeout 1 "$BIN/kcollectord" "${ARGS[@]}" 2> "$T/log3"
l=$(grep -F 'service manager' "$T/log3")
check "a malformed NOTIFY_SOCKET is named and the collector runs on ($l)" \
	test "$l" = "kcollectord: service manager: NOTIFY_SOCKET 'relative/path' is neither an absolute path nor an abstract name of 1 to 106 bytes; running without notifications"

# -t: nothing bound, nothing created.
out=$("$BIN/kcollectord" -t "${ARGS[@]}" --db "$T/new.db" 2>&1); rc=$?
check "-t on a good configuration: exit 0 ($rc), says ok ($out)" \
	test $rc = 0 -a "$out" = "kcollectord: (no configuration file): ok: agents on 127.0.0.1:$AP, http on 127.0.0.1:$HP, db $T/new.db, plaintext, no ACL"
check "-t creates no database" test ! -e "$T/new.db"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=ca -keyout "$T/ca.key" -out "$T/ca.pem" 2> /dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=collector -keyout "$T/c.key" -out "$T/c.pem" 2> /dev/null
printf 'report * c1\nread *\n' > "$T/acl"
cat > "$T/k.conf" <<CONF
[collector]
listen = 127.0.0.1:$AP
http = 127.0.0.1:$HP
db = $T/c.db
tls_ca = $T/ca.pem
tls_cert = $T/c.pem
tls_key = $T/c.key
acl = $T/acl
CONF
out=$("$BIN/kcollectord" -t --config "$T/k.conf" 2>&1); rc=$?
check "-t with TLS and an ACL: exit 0 ($rc) ($out)" \
	test $rc = 0 -a "$out" = "kcollectord: $T/k.conf: ok: agents on 127.0.0.1:$AP, http on 127.0.0.1:$HP, db $T/c.db, TLS certificates load, ACL loads"
cp "$T/ca.key" "$T/c.pem"
out=$("$BIN/kcollectord" --test --config "$T/k.conf" 2>&1); rc=$?
check "-t with a key where the certificate should be: exit 1 ($rc), named ($out)" \
	test $rc = 1 -a -n "$(grep -F "$T/k.conf: tls: " <<<"$out" | grep -F "$T/c.pem")"
printf 'report * c1\nfrobnicate everything\n' > "$T/acl"
cp "$T/ca.pem" "$T/c.pem"
cp "$T/ca.key" "$T/c.key"
out=$("$BIN/kcollectord" -t --config "$T/k.conf" 2>&1); rc=$?
check "-t with a bad ACL line: exit 1 ($rc), file and line named ($out)" \
	test $rc = 1 -a -n "$(grep -F "$T/acl:2" <<<"$out")"
sed -i "s|^db = .*|db = $T/no/such/dir/c.db|" "$T/k.conf"
printf 'report * c1\n' > "$T/acl"
out=$("$BIN/kcollectord" -t --config "$T/k.conf" 2>&1); rc=$?
check "-t with a database in a missing folder: exit 1 ($rc) ($out)" \
	test $rc = 1 -a "$out" = "kcollectord: $T/k.conf: db $T/no/such/dir/c.db: folder $T/no/such/dir: No such file or directory"
exit $fail
