#!/bin/bash
# kagentd started as root splits in two: the process that serves the
# control socket and talks to the collector runs as the [agent] user with
# no capability; the prober runs as the same user with exactly
# CAP_DAC_READ_SEARCH, CAP_SYS_RAWIO and CAP_SYS_ADMIN (CapEff 0x220004).
# Both have no_new_privs.  The user is created for the test and removed.
# A missing user or a uid-0 user is refused; started as a user, kagentd
# changes no identity and holds no capability.
set -u
BIN=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL this test starts kagentd as root and creates a user: run it as root"
	exit 1
fi
U=kagent-test-$$
T=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	userdel "$U" 2>/dev/null
	groupdel "kagent-tg-$$" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin --user-group "$U" || { echo "FAIL useradd $U"; exit 1; }
UID_U=$(id -u "$U")
GID_U=$(id -g "$U")
echo "test user $U: uid $UID_U gid $GID_U"
# mktemp -d is 0700: the user must be able to reach the spool below it.
chmod 755 "$T"
mkdir "$T/spool"
# The services' configuration readable by root alone, as kafka's and
# zookeeper's own files are to anyone but them: the prober reads them as
# the user only through CAP_DAC_READ_SEARCH.
cp -a "$PWD/fixtures/host-broker" "$T/root"
chown -R root:root "$T/root"
chmod 700 "$T/root/etc/kafka" "$T/root/etc/zookeeper/conf"
chmod 600 "$T/root/etc/kafka/server.properties" "$T/root/etc/zookeeper/conf/zoo.cfg"
conf() { # user socket-dir spool [root]
	cat <<CONF
[host]
roles = kafka,zookeeper
cluster = test
rack = r1
[agent]
collector = 127.0.0.1:1
insecure = yes
interval = 1
health_interval = 1
spool = $3
socket = $2/kagent.sock
host_id = test-1
root = ${4:-$PWD/fixtures/host-broker}
user = $1
CONF
}
conf "$U" "$T" "$T/spool" "$T/root" > "$T/kagent.conf"
fail=0
want() { # name got expected
	if [ "$2" = "$3" ]; then
		echo "ok   $1: $2"
	else
		echo "FAIL $1: got '$2', want '$3'"
		fail=1
	fi
}
field() { # pid field: the value columns of /proc/PID/status
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' ' | sed 's/ $//'
}

"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/kagent.sock" ] && break; sleep 0.1; done
sleep 1.5
PROBER=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | tr -d ' ')
echo "network side pid $PID, prober pid ${PROBER:-none}"
[ -n "$PROBER" ] || { echo "FAIL no prober child"; fail=1; PROBER=$PID; }

echo "--- network side (pid $PID)"
want "Uid" "$(field $PID Uid)" "$UID_U $UID_U $UID_U $UID_U"
want "Gid" "$(field $PID Gid)" "$GID_U $GID_U $GID_U $GID_U"
want "Groups" "$(field $PID Groups)" "$GID_U"
want "CapEff" "$(field $PID CapEff)" 0000000000000000
want "CapPrm" "$(field $PID CapPrm)" 0000000000000000
want "CapInh" "$(field $PID CapInh)" 0000000000000000
want "CapBnd" "$(field $PID CapBnd)" 0000000000000000
want "CapAmb" "$(field $PID CapAmb)" 0000000000000000
want "NoNewPrivs" "$(field $PID NoNewPrivs)" 1

echo "--- prober (pid $PROBER)"
want "Uid" "$(field $PROBER Uid)" "$UID_U $UID_U $UID_U $UID_U"
want "Groups" "$(field $PROBER Groups)" "$GID_U"
want "CapEff (dac_read_search, sys_rawio, sys_admin)" "$(field $PROBER CapEff)" 0000000000220004
want "CapPrm" "$(field $PROBER CapPrm)" 0000000000220004
want "CapBnd" "$(field $PROBER CapBnd)" 0000000000220004
want "CapAmb" "$(field $PROBER CapAmb)" 0000000000000000
want "NoNewPrivs" "$(field $PROBER NoNewPrivs)" 1

echo "--- files and the report cycle across the split"
want "spool directory owner" "$(stat -c %u:%g "$T/spool")" "$UID_U:$GID_U"
want "control socket owner and mode" "$(stat -c %u:%g:%a "$T/kagent.sock")" "$UID_U:$GID_U:660"
OUT=$("$BIN/kagent" status --socket "$T/kagent.sock" --json)
SEQ=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["last_report_seq"])' "$OUT" 2>/dev/null)
echo "last_report_seq: ${SEQ:-none}"
[ "${SEQ:-0}" -ge 1 ] 2>/dev/null || { echo "FAIL no report spooled by the unprivileged side"; fail=1; }
# Judged from the root-only server.properties: its PLAINTEXT listener.
ENC=$(python3 -c 'import json,sys; print([c["severity"] for c in json.loads(sys.argv[1])["checks"] if c["id"] == "kafka.security.encryption"])' "$OUT" 2>/dev/null)
want "kafka.security.encryption from the root-only server.properties" "$ENC" "['warn']"
FRAMES=$(find "$T/spool" -name '*.frame' | wc -l)
want "spooled frames not owned by $U (of $FRAMES)" \
	"$(find "$T/spool" -name '*.frame' ! -uid "$UID_U" | wc -l)" 0
kill -TERM $PID
wait $PID
rc=$?
PID=
want "exit status after SIGTERM" $rc 0
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/log"; }

echo "--- supplementary groups: exactly the user's, as the system gives them"
G=kagent-tg-$$
groupadd --system "$G" || { echo "FAIL groupadd $G"; exit 1; }
GID_G=$(getent group "$G" | cut -d: -f3)
# A socket as lldpd makes its own: root and the group, mode 0660.
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(60)' "$T/lldpd.socket" &
LPID=$!
for _ in $(seq 50); do [ -S "$T/lldpd.socket" ] && break; sleep 0.1; done
chown "root:$G" "$T/lldpd.socket" && chmod 660 "$T/lldpd.socket"
conf "$U" "$T" "$T/spool" "$T/root" | sed -e 's/^rack = r1$/rack = lldp/' \
	-e "/^\[host\]\$/a lldp_socket = $T/lldpd.socket" > "$T/lldp.conf"
"$BIN/kagentd" -t --config "$T/lldp.conf" > "$T/t.out" 2> "$T/t.log"
want "kagentd -t exit status, the user not in $G" $? 1
want "kagentd -t message" "$(head -1 "$T/t.log")" \
	"kagentd: $T/lldp.conf: rack = lldp: permission denied on $T/lldpd.socket: add the kagent user to group $G (usermod -aG $G $U)"
usermod -aG "$G" "$U"
"$BIN/kagentd" -t --config "$T/lldp.conf" > "$T/t.out" 2> "$T/t.log"
want "kagentd -t exit status, the user in $G" $? 0
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/kagent.sock" ] && break; sleep 0.1; done
sleep 1.5
PROBER=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | tr -d ' ')
# The kernel keeps groups sorted.
BOTH=$(printf '%s\n' "$GID_U" "$GID_G" | sort -n | tr '\n' ' ' | sed 's/ $//')
want "network side Groups" "$(field $PID Groups)" "$BOTH"
want "prober Groups" "$(field ${PROBER:-$PID} Groups)" "$BOTH"
kill -TERM $PID
wait $PID
PID=
kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
gpasswd -d "$U" "$G" >/dev/null
groupdel "$G"

echo "--- refusals"
conf "no-such-user-$$" "$T" "$T/spool" > "$T/nouser.conf"
"$BIN/kagentd" --config "$T/nouser.conf" 2> "$T/nouser.log"
want "exit status with a missing user" $? 1
want "message" "$(head -1 "$T/nouser.log")" \
	"kagentd: user 'no-such-user-$$' does not exist: create it (useradd --system --no-create-home no-such-user-$$) or name another in [agent] user"
conf root "$T" "$T/spool" > "$T/root.conf"
"$BIN/kagentd" --config "$T/root.conf" 2> "$T/root.log"
want "exit status with user root" $? 1
want "message" "$(head -1 "$T/root.log")" \
	"kagentd: user 'root' is uid 0: the network side must not run as root; name an unprivileged user in [agent] user"
mkdir -m 1777 "$T/shared"
conf "$U" "$T" "$T/shared" > "$T/shared.conf"
"$BIN/kagentd" --config "$T/shared.conf" 2> "$T/shared.log"
want "exit status with a spool every user may write" $? 1
want "message" "$(head -1 "$T/shared.log")" \
	"kagentd: $T/shared: every user may write there; kagentd needs a directory of its own"
want "shared directory left to root" "$(stat -c %u "$T/shared")" 0

echo "--- started as $U: no identity change, no capability"
mkdir -m 755 "$T/u" && mkdir "$T/u/spool" && chown -R "$U:$U" "$T/u"
conf "$U" "$T/u" "$T/u/spool" > "$T/u/kagent.conf"
setpriv --reuid "$U" --regid "$U" --clear-groups --inh-caps=-all \
	"$BIN/kagentd" --config "$T/u/kagent.conf" 2> "$T/u/log" &
PID=$!
for _ in $(seq 50); do [ -S "$T/u/kagent.sock" ] && break; sleep 0.1; done
sleep 1
PROBER=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | tr -d ' ')
[ -n "$PROBER" ] || { echo "FAIL no prober child"; fail=1; PROBER=$PID; }
want "network side Uid" "$(field $PID Uid)" "$UID_U $UID_U $UID_U $UID_U"
want "network side CapEff" "$(field $PID CapEff)" 0000000000000000
want "network side NoNewPrivs" "$(field $PID NoNewPrivs)" 1
want "prober Uid" "$(field $PROBER Uid)" "$UID_U $UID_U $UID_U $UID_U"
want "prober CapEff" "$(field $PROBER CapEff)" 0000000000000000
want "prober NoNewPrivs" "$(field $PROBER NoNewPrivs)" 1
kill -TERM $PID
wait $PID
want "exit status after SIGTERM" $? 0
PID=
[ $fail -eq 0 ] || { echo "--- kagentd log (as $U)"; cat "$T/u/log"; }
exit $fail
