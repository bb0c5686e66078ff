#!/bin/bash
# A fifo where kagent expects a file: open() of a fifo without a writer
# waits for one for ever.  Each entry point must answer at once, naming the
# file: `kagent inventory --root` with proc/meminfo a fifo (exit 2) and with
# a sysfs attribute a fifo (that value unknown), `kagent check` with
# server.properties, zoo.cfg and --config fifos.  `timeout` turns a hang
# into a failure.
set -u
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

# A copy of a fixture root, path $1 in it replaced by a fifo.
root_with_fifo() {
	rm -rf "$T/root"
	cp -a fixtures/host-broker "$T/root"
	rm -f "$T/root/$1"
	mkfifo "$T/root/$1"
}

# run NAME WANT_RC CMD...: output in $T/out, fails on a hang or another rc.
run() {
	local name=$1 want=$2 rc
	shift 2
	timeout 10 "$@" > "$T/out" 2>&1
	rc=$?
	echo "$name: exit $rc (want $want)"
	[ $rc -eq 124 ] && bad "$name: still waiting after 10 s"
	[ $rc -eq "$want" ] || bad "$name: exit $rc"
}

want_line() {
	grep -qxF -- "$2" "$T/out" || { bad "$1: no line '$2'"; cat "$T/out"; }
}

root_with_fifo proc/meminfo
run "inventory, proc/meminfo a fifo" 2 "$BIN/kagent" inventory --root "$T/root" --no-smart
want_line "inventory" "kagent inventory: $T/root/proc/meminfo is a fifo, not a regular file"

# An optional attribute that cannot be read makes its value unknown.
root_with_fifo sys/class/net/eno1/speed
run "inventory, sysfs speed a fifo" 0 "$BIN/kagent" inventory --root "$T/root" --no-smart --json
speed=$(jq -r '.nics[] | select(.name == "eno1") | .speed_mbps' "$T/out")
echo "eno1 speed: $speed (want null)"
[ "$speed" = null ] || bad "eno1 speed '$speed'"

# A config kagent cannot read makes the checks that need it unknown, with
# the reason; the exit status is the verdict's, as for any unreadable file.
root_with_fifo etc/kafka/server.properties
run "check, server.properties a fifo" 1 "$BIN/kagent" check --root "$T/root" --role kafka --json
why="$T/root/etc/kafka/server.properties is a fifo, not a regular file"
n=$(jq --arg w "$why" '[.checks[] | select(.severity == "unknown" and .message == $w)] | length' "$T/out")
sec=$(jq -r '.checks[] | select(.id == "kafka.security.encryption") | .severity + ": " + .message' "$T/out")
echo "checks unknown with '$why': $n; kafka.security.encryption $sec"
[ "$sec" = "unknown: $why" ] || bad "kafka.security.encryption: $sec"
[ "${n:-0}" -ge 10 ] || bad "only ${n:-0} checks carry the reason"

root_with_fifo etc/zookeeper/conf/zoo.cfg
# --unknown unknown: the ZooKeeper checks that cannot read zoo.cfg make the
# run UNKNOWN, as they did before the policy's default became ok.
run "check, zoo.cfg a fifo" 3 "$BIN/kagent" check --root "$T/root" --role zookeeper --json --unknown unknown
why="$T/root/etc/zookeeper/conf/zoo.cfg is a fifo, not a regular file"
n=$(jq --arg w "$why" '[.checks[] | select(.severity == "unknown" and .message == $w)] | length' "$T/out")
echo "checks unknown with '$why': $n"
[ "${n:-0}" -ge 1 ] || { bad "no check carries the reason"; cat "$T/out"; }

root_with_fifo etc/kafka/server.properties
rm -f "$T/root/etc/kafka/server.properties"
cp fixtures/host-broker/etc/kafka/server.properties "$T/root/etc/kafka/"
mkfifo "$T/kagent.conf"
run "check --config a fifo" 3 "$BIN/kagent" check --root "$T/root" --role kafka --config "$T/kagent.conf"
want_line "check --config" "KAGENT UNKNOWN - kagent check: $T/kagent.conf is a fifo, not a regular file"

# A directory is no file either.
mkdir "$T/conf.d"
run "check --config a directory" 3 "$BIN/kagent" check --root "$T/root" --role kafka --config "$T/conf.d"
want_line "check --config dir" "KAGENT UNKNOWN - kagent check: $T/conf.d is a directory, not a regular file"
# The agent certificate: `kagent check` reads its expiry, kagentd loads it
# into OpenSSL, which opens it itself.  The old kagentd waited in open()
# with its SIGTERM caught: only SIGKILL ended it.
chmod 755 "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/agent.key" -out "$T/ca.pem" -days 2 -subj /CN=test-ca 2> /dev/null
chmod 644 "$T/agent.key"
mkfifo "$T/agent.pem"
mkdir "$T/spool" "$T/run"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/run"
cat > "$T/tls.conf" <<CONF
[host]
roles = kafka
[agent]
collector = 127.0.0.1:1
tls_ca = $T/ca.pem
tls_cert = $T/agent.pem
tls_key = $T/agent.key
spool = $T/spool
socket = $T/run/kagent.sock
user = nobody
root = $T/root
CONF
run "check, tls_cert a fifo" 1 "$BIN/kagent" check --root "$T/root" --config "$T/tls.conf" --json
tls=$(jq -r '.checks[] | select(.id == "agent.tls.expiry") | .severity + ": " + .message' "$T/out")
echo "agent.tls.expiry: $tls"
[ "$tls" = "unknown: $T/agent.pem is a fifo, not a regular file" ] || bad "agent.tls.expiry '$tls'"
timeout -s KILL 10 "$BIN/kagentd" --config "$T/tls.conf" > "$T/out" 2>&1
rc=$?
echo "kagentd, tls_cert a fifo: exit $rc (want 1)"
[ $rc -eq 1 ] || bad "kagentd exit $rc"
want_line "kagentd" "kagentd: collector: certificate $T/agent.pem is a fifo, not a regular file"
exit $fail
