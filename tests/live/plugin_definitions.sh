#!/bin/bash
# The monitoring definitions the package ships, read by the real programs:
#   1. packaging/icinga2/kagent.conf: `icinga2 daemon -C` on a
#      configuration that includes it and applies it to a service;
#   2. Icinga 2 itself running the check through that CheckCommand (a copy
#      pointing at this build, on a fixture host): the state, the status
#      line and the perfdata Icinga records (PerfdataWriter) are kagent
#      check's own, --skip given as an array reaches kagent;
#   3. packaging/nagios/kagent.cfg: `nagios4 -v` on a configuration with a
#      service using check_kagent.
# Usage: bash plugin_definitions.sh BUILD_BIN_DIR   (cwd tests/)
set -u
BIN=$(cd "${1:?usage: plugin_definitions.sh BUILD_BIN_DIR}" && pwd)
PKG=$(cd ../packaging && pwd)
FX=$(pwd)/fixtures/check-kafka-mem16g
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for need in icinga2 nagios4; do
	command -v $need >/dev/null || { echo "FAIL: $need is not installed (apt-get install icinga2-bin nagios4-core)"; exit 1; }
done
D=$(mktemp -d /tmp/kagent-defs-XXXXXX)
IPID=
cleanup() {
	# icinga2 daemon forks workers: its whole process group goes.
	[ -n "$IPID" ] && kill -KILL -- -"$IPID" 2>/dev/null && wait "$IPID" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
mkdir -p $D/{data,log,cache,spool,run,perf}
# Both daemons drop to their packaged users unless told otherwise: they
# run as this test's user, in its directory.
DIRS="-DRunAsUser=$(id -un) -DRunAsGroup=$(id -gn) -DDataDir=$D/data -DLogDir=$D/log -DCacheDir=$D/cache -DSpoolDir=$D/spool -DInitRunDir=$D/run"

# 1. Validation, as shipped.
cat > $D/validate.conf <<EOF
include <itl>
include "$PKG/icinga2/kagent.conf"
object Host "kafka-01" {
  check_command = "dummy"
  address = "127.0.0.1"
}
object Service "kagent" {
  host_name = "kafka-01"
  check_command = "kagent"
  command_endpoint = ""
  vars.kagent_role = "kafka"
  vars.kagent_skip = [ "disk.health", "board.sensors" ]
  vars.kagent_unknown = "warning"
}
EOF
icinga2 daemon -C -c $D/validate.conf $DIRS > $D/validate.log 2>&1
RC=$?
echo "icinga2 daemon -C: exit $RC; $(grep -c 'CheckCommands' $D/validate.log) CheckCommands line"
[ $RC = 0 ] || { cat $D/validate.log; fail "icinga2 daemon -C refused the definition"; }

# 2. Icinga runs it.  The shipped command, imported; only the binary (this
# build) and --root (a fixture host) differ.
cat > $D/run.conf <<EOF
include <itl>
include "$PKG/icinga2/kagent.conf"
object CheckCommand "kagent-build" {
  import "kagent"
  command = [ "$BIN/kagent", "check" ]
  arguments += { "--root" = { value = "\$kagent_root\$" } }
}
object Host "kafka-01" {
  check_command = "dummy"
  enable_active_checks = false
}
object Service "kagent" {
  host_name = "kafka-01"
  check_command = "kagent-build"
  check_interval = 1s
  retry_interval = 1s
  vars.kagent_config = "$FX/kagent.conf"
  vars.kagent_root = "$FX"
  vars.kagent_skip = [ "os.clock", "kafka.logdirs.ebs" ]
  vars.kagent_timeout = 5
}
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
  service_perfdata_path = "$D/perf/service"
  host_perfdata_path = "$D/perf/host"
  service_temp_path = "$D/perf/service.tmp"
  host_temp_path = "$D/perf/host.tmp"
  rotation_interval = 1s
  service_format_template = "STATE::\$service.state\$\tPERF::\$service.perfdata\$\tOUTPUT::\$service.output\$"
}
EOF
setsid icinga2 daemon -c $D/run.conf $DIRS > $D/icinga.log 2>&1 &
IPID=$!
LINE=
for _ in $(seq 100); do
	LINE=$(cat $D/perf/service.[0-9]* 2>/dev/null | head -1)
	[ -n "$LINE" ] && break
	sleep 0.2
done
kill -KILL -- -"$IPID" 2>/dev/null; wait "$IPID" 2>/dev/null; IPID=
[ -n "$LINE" ] || { tail -20 $D/icinga.log; fail "Icinga recorded no result of the kagent service in 20 s"; }
WANT=$("$BIN/kagent" check --config $FX/kagent.conf --root $FX -t 5 --skip os.clock --skip kafka.logdirs.ebs | head -1)
WANT_OUT=${WANT%% | *}
WANT_PERF=${WANT#* | }
# The output is the status line and the long output after it, over
# several lines: its first line is the record's first.
S=$(cut -f1 <<<"$LINE"); P=$(cut -f2 <<<"$LINE"); O=$(cut -f3 <<<"$LINE")
# Icinga keeps the blank before '|' in the output.
O=${O% }
echo "Icinga: ${S} | ${O}"
echo "Icinga perfdata: ${P:0:160}..."
[ "$S" = "STATE::WARNING" ] || fail "Icinga state '$S', want WARNING"
[ "$O" = "OUTPUT::$WANT_OUT" ] || fail "Icinga output '$O', want '$WANT_OUT'"
[ "$P" = "PERF::$WANT_PERF" ] || fail "Icinga perfdata differs from kagent's: '$P'"
grep -i 'perfdata' $D/icinga.log | grep -iE 'warning|critical|invalid' && fail "Icinga complained about the perfdata"
# --skip, an array in Icinga, reached kagent as two flags: the long output
# Icinga kept lists both as skipped.
for id in os.clock kafka.logdirs.ebs; do
	cat $D/perf/service.[0-9]* | grep -q "^$id  *skipped " || fail "Icinga's long output does not list $id as skipped"
done

# 3. Nagios.
cat > $D/nagios.cfg <<EOF
cfg_file=$PKG/nagios/kagent.cfg
cfg_file=$D/objects.cfg
log_file=$D/nagios.log
status_file=$D/status.dat
temp_file=$D/nagios.tmp
lock_file=$D/nagios.lock
check_result_path=$D
nagios_user=$(id -un)
nagios_group=$(id -gn)
illegal_macro_output_chars=\`~\$&|'"<>
EOF
cat > $D/objects.cfg <<'EOF'
define timeperiod {
    timeperiod_name  always
    alias            always
    monday           00:00-24:00
}
define command {
    command_name  notify-none
    command_line  /bin/true
}
define contact {
    contact_name                   ops
    host_notifications_enabled     0
    service_notifications_enabled  0
    host_notification_period       always
    service_notification_period    always
    host_notification_options      n
    service_notification_options   n
    host_notification_commands     notify-none
    service_notification_commands  notify-none
}
define host {
    host_name              kafka-01
    address                127.0.0.1
    max_check_attempts     1
    check_period           always
    contacts               ops
    notification_interval  0
    notification_period    always
}
define service {
    host_name              kafka-01
    service_description    kagent
    check_command          check_kagent!50!--skip disk.health --unknown warning
    max_check_attempts     1
    check_interval         1
    retry_interval         1
    check_period           always
    contacts               ops
    notification_interval  0
    notification_period    always
}
EOF
nagios4 -v $D/nagios.cfg > $D/nagios-v.log 2>&1
RC=$?
echo "nagios4 -v: exit $RC, $(grep -E '^Total (Warnings|Errors)' $D/nagios-v.log | tr '\n' ' ')"
[ $RC = 0 ] && grep -qx 'Total Errors:   0' $D/nagios-v.log && grep -qx 'Total Warnings: 0' $D/nagios-v.log ||
	{ cat $D/nagios-v.log; fail "nagios4 -v"; }

[ $fails = 0 ] && echo PASS || { echo "$fails failure(s)"; exit 1; }
