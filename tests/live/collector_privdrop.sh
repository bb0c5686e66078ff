#!/bin/bash
# kcollectord started as root by hand becomes its --user once its ports and
# files are open: the user's uid and gid, no capability in any set,
# no_new_privs; its database and WAL files belong to that user, and it
# still stores and serves.  A user that does not exist, or is uid 0, is
# refused before it listens.  The user is created for the test and removed.
set -u
BIN=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL this test starts kcollectord as root and creates a user: run it as root"
	exit 1
fi
U=kcoll-test-$$
T=$(mktemp -d)
PID=
fail=0
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	userdel "$U" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin --user-group "$U" || { echo "FAIL useradd $U"; exit 1; }
UID_U=$(id -u "$U")
GID_U=$(id -g "$U")
echo "test user $U: uid $UID_U gid $GID_U"
read -r AP HP < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
ARGS=(--insecure --listen 127.0.0.1:$AP --http 127.0.0.1:$HP --db "$T/c.db")
run() { "$BIN/kcollectord" "${ARGS[@]}" "$@"; }

out=$(run --user no-such-user-$$ 2>&1); rc=$?
check "a user that does not exist: exit 1 ($rc), named ($out)" \
	test $rc = 1 -a -n "$(grep -F "user 'no-such-user-$$' does not exist" <<<"$out")"
out=$(run --user root 2>&1); rc=$?
check "uid 0 as the user: exit 1 ($rc), named ($out)" \
	test $rc = 1 -a -n "$(grep -F "user 'root' is uid 0" <<<"$out")"

# Not through run: $! must be kcollectord itself, not a subshell.
"$BIN/kcollectord" "${ARGS[@]}" --user "$U" 2> "$T/log" &
PID=$!
for _ in $(seq 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$HP/metrics" && break
	sleep 0.1
done
st() { awk -v k="$1:" '$1 == k { print $2, $3, $4, $5 }' "/proc/$PID/status"; }
check "uid $(st Uid) is the user's" test "$(st Uid)" = "$UID_U $UID_U $UID_U $UID_U"
check "gid $(st Gid) is the user's" test "$(st Gid)" = "$GID_U $GID_U $GID_U $GID_U"
check "no supplementary group but its own ($(st Groups))" test "$(st Groups)" = "$GID_U   "
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	check "$c $(st $c) empty" test "$(st $c)" = "0000000000000000   "
done
check "no_new_privs $(st NoNewPrivs)" test "$(st NoNewPrivs)" = "1   "
own=$(stat -c %U "$T/c.db" "$T/c.db-wal" "$T/c.db-shm" | sort -u)
check "the database and its WAL files belong to the user ($own)" test "$own" = "$U"
# A report stored after the drop: the database is still written.
python3 - "$AP" <<'EOF'
import socket, struct, sys
def frame(p): return struct.pack(">I", len(p)) + p
def ld(tag, b): return bytes([tag, len(b)]) + b
hello = ld(0x0a, b"\x08\x01" + ld(0x12, b"h-1"))
report = ld(0x12, ld(0x0a, b"h-1") + ld(0x2a, b"c1") + b"\x50\x01")
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(frame(hello))
s.recv(64)
s.sendall(frame(report))
s.settimeout(5)
s.recv(64)
EOF
seq=$(curl -sf "http://127.0.0.1:$HP/api/hosts/h-1" | jq -r .seq)
check "a report stored and read back as the user (seq $seq)" test "$seq" = 1
kill "$PID"; wait "$PID"; rc=$?; PID=
check "SIGTERM: exit 0 ($rc)" test $rc = 0
[ $fail -eq 0 ] || cat "$T/log"
exit $fail
