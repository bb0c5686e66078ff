#!/bin/bash
# The packages `make package` built: lintian, rpmlint, systemd-analyze
# verify, their contents, then the .debs installed on this machine, used,
# removed and purged, leaving nothing behind.
#
# usage: bash tests/package/package.sh BUILD_DIR   (as root, from the checkout)
# BUILD_DIR is the packaging build (build-pkg): BUILD_DIR/packages holds the
# packages, BUILD_DIR/bin the programs they were made from.
set -u
cd "$(dirname "$0")/../.."
build=$(cd "${1:?usage: package.sh BUILD_DIR}" && pwd)
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }
apt() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q "$@"; }

[ "$(id -u)" = 0 ] || { echo "FAIL: the install test needs root"; exit 1; }
for t in lintian rpmlint rpm systemd-analyze dpkg-deb apt-get jq; do
	command -v $t >/dev/null || { echo "FAIL: $t is missing (make deps)"; exit 1; }
done

ver=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
rarch=$(uname -m)
deb_a=$build/packages/kagent_${ver}_${arch}.deb
deb_c=$build/packages/kagent-collector_${ver}_${arch}.deb
rpm_a=$build/packages/kagent-${ver}-1.${rarch}.rpm
rpm_c=$build/packages/kagent-collector-${ver}-1.${rarch}.rpm
for f in "$deb_a" "$deb_c" "$rpm_a" "$rpm_c"; do
	[ -f "$f" ] || { echo "FAIL: $f not built (make package)"; exit 1; }
done
echo "version $ver from CMakeLists.txt; packages in $build/packages"

# Both daemons are part of the packages: a build without them is a failure.
has_agentd=1 has_colld=1
for b in kagentd kcollectord; do
	[ -x "$build/bin/$b" ] || { echo "FAIL: $build/bin/$b was not built"; exit 1; }
done

# --- expected contents -----------------------------------------------------
exp_a="/etc/kagent/kagent.conf
/usr/bin/kagent
/usr/bin/kagent-ca
/usr/libexec/kagent/kagent-full
/usr/lib/systemd/system/kagentd.service
/usr/share/bash-completion/completions/kagent
/usr/share/doc/kagent/changelog.gz
/usr/share/doc/kagent/copyright
/usr/share/kagent/icinga2/kagent.conf
/usr/share/kagent/nagios/kagent.cfg
/usr/share/man/man1/kagent-ca.1.gz
/usr/share/man/man1/kagent.1.gz
/usr/share/man/man5/kagent.conf.5.gz"
[ $has_agentd = 1 ] && exp_a="$exp_a
/usr/sbin/kagentd
/usr/share/man/man8/kagentd.8.gz"
exp_c="/etc/kagent-collector/acl
/etc/kagent-collector/kcollectord.conf
/usr/lib/systemd/system/kcollectord.service
/usr/share/doc/kagent-collector/changelog.gz
/usr/share/doc/kagent-collector/copyright
/usr/share/kagent-collector/grafana/kagent-fleet.json
/usr/share/kagent-collector/prometheus/kagent.rules.yml"
[ $has_colld = 1 ] && exp_c="$exp_c
/usr/sbin/kcollectord
/usr/share/man/man8/kcollectord.8.gz"
exp_a=$(sort <<<"$exp_a")
exp_c=$(sort <<<"$exp_c")

deb_files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort; }
rpm_files() { rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$1" 2>/dev/null |
	awk '$1 !~ /^d/ && $2 !~ /^\/usr\/lib\/.build-id\// { print $2 }' | sort; }

check_list() { # what, got, expected
	if [ "$2" = "$3" ]; then
		ok "$1: $(wc -l <<<"$2") files as expected"
	else
		fail "$1 differs from the expected list:"
		diff <(echo "$3") <(echo "$2") | sed 's/^/    /'
	fi
}
check_list "kagent.deb" "$(deb_files "$deb_a")" "$exp_a"
check_list "kagent-collector.deb" "$(deb_files "$deb_c")" "$exp_c"
check_list "kagent.rpm (rpm -qpl)" "$(rpm_files "$rpm_a")" "$exp_a"
check_list "kagent-collector.rpm (rpm -qpl)" "$(rpm_files "$rpm_c")" "$exp_c"

# Configuration files: dpkg conffiles, rpm %config(noreplace) (flags "cn").
conf_check() { # deb rpm path...
	local deb=$1 rpm=$2 got want p
	shift 2
	want=$(printf '%s\n' "$@" | sort)
	got=$(dpkg-deb -I "$deb" conffiles 2>/dev/null | sort)
	[ "$got" = "$want" ] && ok "$(basename "$deb"): conffiles = $(echo $got)" ||
		fail "$(basename "$deb"): conffiles is '$got', expected '$want'"
	got=$(rpm -qpc "$rpm" 2>/dev/null | sort)
	[ "$got" = "$want" ] && ok "$(basename "$rpm"): rpm -qpc = $(echo $got)" ||
		fail "$(basename "$rpm"): rpm -qpc is '$got', expected '$want'"
	for p in "$@"; do
		got=$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpm" 2>/dev/null | awk -v p="$p" '$1 == p { print $2 }')
		[ "$got" = cn ] && ok "$(basename "$rpm"): $p is %config(noreplace)" ||
			fail "$(basename "$rpm"): $p has file flags '$got', expected 'cn' (%config(noreplace))"
	done
}
conf_check "$deb_a" "$rpm_a" /etc/kagent/kagent.conf
conf_check "$deb_c" "$rpm_c" /etc/kagent-collector/acl /etc/kagent-collector/kcollectord.conf

# Both units reload with SIGHUP, and the collector's is driven by its
# configuration file alone.
for u in kagentd kcollectord; do
	got=$(dpkg-deb --fsys-tarfile "$([ $u = kagentd ] && echo "$deb_a" || echo "$deb_c")" |
		tar -xOf - ./usr/lib/systemd/system/$u.service | grep -E '^Exec(Start|Reload)=')
	echo "$u.service: $(echo $got)"
	grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' <<<"$got" && ok "$u.service: ExecReload sends SIGHUP" ||
		fail "$u.service has no ExecReload=/bin/kill -HUP \$MAINPID"
done
got=$(dpkg-deb --fsys-tarfile "$deb_c" | tar -xOf - ./usr/lib/systemd/system/kcollectord.service | grep '^ExecStart=')
[ "$got" = "ExecStart=/usr/sbin/kcollectord --config /etc/kagent-collector/kcollectord.conf" ] &&
	ok "kcollectord.service: $got" || fail "kcollectord.service: '$got'"

# The licence: Apache-2.0, as Kafka's and ZooKeeper's; a DEP-5 copyright
# file in each .deb and the License tag of each .rpm.
for d in "$deb_a" "$deb_c"; do
	p=$(dpkg-deb -f "$d" Package)
	got=$(dpkg-deb --fsys-tarfile "$d" | tar -xOf - ./usr/share/doc/$p/copyright |
		grep -E '^(Format|Files|License):' | tr '\n' ' ')
	want="Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/ Files: * License: Apache-2.0 License: Apache-2.0 "
	[ "$got" = "$want" ] && ok "$(basename "$d"): DEP-5 copyright, Apache-2.0" ||
		fail "$(basename "$d"): copyright fields are '$got'"
done
for r in "$rpm_a" "$rpm_c"; do
	got=$(rpm -qp --qf '%{LICENSE}' "$r" 2>/dev/null)
	[ "$got" = Apache-2.0 ] && ok "$(basename "$r"): License: $got" ||
		fail "$(basename "$r"): License is '$got', expected Apache-2.0"
done

# RPM scriptlets: user creation, enable/start, stop on erase.
scripts=$(rpm -qp --scripts "$rpm_a" 2>/dev/null)
for want in 'useradd -r -g kagent' 'systemctl --no-reload enable kagentd.service' \
	'systemctl stop kagentd.service' 'userdel kagent'; do
	grep -qF -- "$want" <<<"$scripts" && ok "kagent.rpm scriptlets: $want" ||
		fail "kagent.rpm scriptlets lack '$want'"
done

# --- linters ---------------------------------------------------------------
lint=$(lintian --pedantic -I "$deb_a" "$deb_c" 2>&1 | grep -v 'running with root privileges')
echo "lintian:"
sed 's/^/    /' <<<"$lint"
if grep -q '^E:' <<<"$lint"; then fail "lintian reports errors"; else ok "lintian: no errors"; fi

rlint=$(rpmlint -c packaging/rpmlint.toml "$rpm_a" "$rpm_c" 2>&1)
echo "rpmlint:"
grep -E '^[^ ]+: [EW]:' <<<"$rlint" | sed 's/^/    /'
# Without kcollectord the collector rpm holds no binary: that error, only.
rerr=$(grep -E '^[^ ]+: E:' <<<"$rlint")
[ $has_colld = 0 ] && rerr=$(grep -v '^kagent-collector.[^:]*: E: no-binary$' <<<"$rerr")
if [ -n "$rerr" ]; then fail "rpmlint reports errors"; else ok "rpmlint: no errors"; fi
if grep -q 'invalid-license' <<<"$rlint"; then fail "rpmlint: the License tag is not valid"; else ok "rpmlint: the License tag is valid"; fi

# systemd-analyze verify: no output at all, except the missing-binary line
# (and man page) of a daemon that is not there.  Here the unit files as
# shipped, before installation: ExecStart's binary and the man pages are not
# on the system yet; once installed (below) both are checked too.
verify_units() { # dir man has_agentd has_colld
	local out
	out=$(cd / && systemd-analyze verify --man="$2" "$1/kagentd.service" "$1/kcollectord.service" 2>&1)
	[ "$3" = 0 ] && out=$(grep -vx -e 'kagentd.service: Command /usr/sbin/kagentd is not executable: No such file or directory' \
		-e "kagentd.service: Command 'man kagentd(8)' failed with code 16" <<<"$out")
	[ "$4" = 0 ] && out=$(grep -vx -e 'kcollectord.service: Command /usr/sbin/kcollectord is not executable: No such file or directory' \
		-e "kcollectord.service: Command 'man kcollectord(8)' failed with code 16" <<<"$out")
	out=$(sed '/^$/d' <<<"$out")
	if [ -z "$out" ]; then
		ok "systemd-analyze verify --man=$2 $1/{kagentd,kcollectord}.service: clean (binaries checked: $3 $4)"
	else
		fail "systemd-analyze verify --man=$2 in $1:"
		sed 's/^/    /' <<<"$out"
	fi
}
tmp=$(mktemp -d)
dpkg-deb -x "$deb_a" "$tmp/x"
dpkg-deb -x "$deb_c" "$tmp/x"
verify_units "$tmp/x/usr/lib/systemd/system" no 0 0

# --- install, use, remove, purge ------------------------------------------
pkg_installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | cut -c1-2; }
leftovers() {
	find /etc /usr/bin /usr/sbin /usr/lib/systemd /usr/share/man /usr/share/doc \
		/usr/share/kagent-collector \
		/var/lib/dpkg/info /var/lib/systemd /run -maxdepth 4 \
		\( -name '*kagent*' -o -name '*kcollectord*' \) 2>/dev/null | sort
	find /var/lib -maxdepth 1 -name '*kagent*' 2>/dev/null
	getent passwd kagent kagent-collector
	getent group kagent kagent-collector
}
cleanup() {
	for p in kagent kagent-collector; do
		[ -n "$(pkg_installed $p | tr -d ' ')" ] && [ "$(pkg_installed $p)" != "un" ] &&
			apt purge $p >/dev/null 2>&1
	done
	# Only this test puts files there: it refuses to start on a machine
	# that has any kagent file.
	[ -n "${cpid:-}" ] && kill "$cpid" 2>/dev/null
	rm -rf /etc/kagent-collector/tls
	rm -rf "$tmp" "${cdb:-}"
}
trap cleanup EXIT

for p in kagent kagent-collector; do
	st=$(pkg_installed $p)
	if [ -n "$st" ] && [ "$st" != "un" ]; then
		echo "FAIL: $p is already on this machine ($st); purge it first"
		trap - EXIT
		rm -rf "$tmp"
		exit 1
	fi
done
before=$(leftovers)
if [ -n "$before" ]; then
	echo "FAIL: this machine already has kagent files or users:"
	sed 's/^/    /' <<<"$before"
	trap - EXIT
	rm -rf "$tmp"
	exit 1
fi

if [ "$(cat /proc/1/comm)" = systemd ] && [ -d /run/systemd/system ]; then
	systemd_init=1
	echo "systemd is PID 1: the services are started and stopped for real"
else
	systemd_init=0
	echo "PID 1 is $(cat /proc/1/comm), not systemd: the maintainer scripts enable the units (symlinks, deb-systemd-helper state) and start nothing"
fi

if apt install "$deb_a" "$deb_c" >"$tmp/install.log" 2>&1; then
	ok "apt-get install of both .debs"
else
	fail "apt-get install failed:"
	sed 's/^/    /' "$tmp/install.log"
fi
for p in kagent kagent-collector; do
	[ "$(pkg_installed $p)" = "ii" ] && ok "$p installed (ii)" || fail "$p status '$(pkg_installed $p)'"
done
for u in kagent kagent-collector; do
	ent=$(getent passwd $u)
	uid=$(cut -d: -f3 <<<"$ent")
	shell=$(cut -d: -f7 <<<"$ent")
	if [ -n "$ent" ] && [ "$uid" -lt 1000 ] && [ "$shell" = /usr/sbin/nologin ] && getent group $u >/dev/null; then
		ok "system user $u (uid $uid, shell $shell, group $u)"
	else
		fail "system user $u: '$ent'"
	fi
done
missing=0
while read -r f; do
	[ -e "$f" ] || { fail "$f not installed"; missing=1; }
done <<<"$exp_a
$exp_c"
[ $missing = 0 ] && ok "every packaged file is on disk"
for u in kagentd kcollectord; do
	[ -L /etc/systemd/system/multi-user.target.wants/$u.service ] &&
		ok "$u.service enabled (multi-user.target.wants symlink)" ||
		fail "$u.service not enabled"
done
# The collector speaks TLS only: as shipped, without certificates, it
# does not start, and says which file is missing.
if [ $systemd_init = 1 ]; then
	st=$(systemctl is-active kcollectord.service)
	[ "$st" != active ] && ok "kcollectord.service without certificates: $st (not active)" ||
		fail "kcollectord.service is active without certificates"
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
AP=$(free_port)
HP=$(free_port)
cdb=$(mktemp -d)
chown kagent-collector:kagent-collector "$cdb"
chmod 0755 "$cdb"
as_coll() { setpriv --reuid kagent-collector --regid kagent-collector --init-groups "$@"; }
# The shipped file, with the addresses and database moved aside by flags.
coll_args=(--config /etc/kagent-collector/kcollectord.conf --listen 127.0.0.1:$AP
	--http 127.0.0.1:$HP --db "$cdb/c.db")
as_coll /usr/sbin/kcollectord "${coll_args[@]}" >"$tmp/coll0.out" 2>&1
rc=$?
echo "kcollectord with the shipped configuration and no certificates: exit $rc: $(cat "$tmp/coll0.out")"
[ $rc = 1 ] && grep -q /etc/kagent-collector/tls/ "$tmp/coll0.out" &&
	ok "without certificates kcollectord exits 1 naming /etc/kagent-collector/tls/" ||
	fail "without certificates kcollectord: exit $rc (want 1, naming /etc/kagent-collector/tls/)"

# With the certificates where the shipped configuration looks, as
# kcollectord(8) says to install them, it runs TLS as its own user and the
# shipped ACL lets loopback read.
tls=/etc/kagent-collector/tls
/usr/bin/kagent-ca init "$tmp/ca" >/dev/null && /usr/bin/kagent-ca issue "$tmp/ca" localhost >/dev/null ||
	fail "kagent-ca could not issue the collector's certificate"
install -d -m 0750 -g kagent-collector $tls
cp "$tmp/ca/ca.pem" $tls/ca.pem
cp "$tmp/ca/hosts/localhost.pem" $tls/collector.pem
install -m 0640 -g kagent-collector "$tmp/ca/hosts/localhost.key" $tls/collector.key
# Not through as_coll: $! must be kcollectord itself, not a subshell.
setpriv --reuid kagent-collector --regid kagent-collector --init-groups \
	/usr/sbin/kcollectord "${coll_args[@]}" >"$tmp/coll1.out" 2>&1 &
cpid=$!
metrics=""
for _ in $(seq 50); do
	metrics=$(curl -sf http://127.0.0.1:$HP/metrics) && break
	sleep 0.1
done
insecure=$(awk '$1 == "kagent_collector_insecure" { print $2 }' <<<"$metrics")
[ "$insecure" = 0 ] && ok "shipped kcollectord.conf and acl: TLS, http://127.0.0.1:$HP/metrics read from loopback, kagent_collector_insecure $insecure" ||
	fail "kcollectord with certificates: /metrics from loopback gave kagent_collector_insecure '$insecure': $(cat "$tmp/coll1.out")"
# The installed rules load in Prometheus and read what this /metrics has.
r=/usr/share/kagent-collector/prometheus/kagent.rules.yml
if promtool check rules $r >/dev/null 2>&1 && grep -q '^# TYPE kagent_host_stale gauge' <<<"$metrics"; then
	ok "promtool check rules $r; /metrics has kagent_host_stale"
else
	fail "promtool check rules $r, or no kagent_host_stale in /metrics"
fi
jq -e '.templating.list | map(.name) == ["datasource", "cluster", "host"]' \
	/usr/share/kagent-collector/grafana/kagent-fleet.json >/dev/null &&
	ok "kagent-fleet.json: JSON, variables datasource, cluster, host" ||
	fail "kagent-fleet.json installed is not the dashboard"
kill -HUP $cpid
sleep 0.5
reloads=$(curl -sf http://127.0.0.1:$HP/metrics | awk '$1 == "kagent_collector_reloads_total{result=\"ok\"}" { print $2 }')
[ "$reloads" = 1 ] && ok "SIGHUP reloaded the shipped certificates and acl: reloads_total{result=\"ok\"} $reloads" ||
	fail "after SIGHUP reloads_total{result=\"ok\"} is '$reloads': $(cat "$tmp/coll1.out")"
kill -TERM $cpid
wait $cpid
rc=$?
cpid=
[ $rc = 0 ] && ok "kcollectord exit 0 on SIGTERM" || fail "kcollectord exit $rc on SIGTERM: $(cat "$tmp/coll1.out")"
if [ $systemd_init = 1 ]; then
	systemctl reset-failed kcollectord.service 2>/dev/null
	systemctl restart kcollectord.service
	sleep 1
	systemctl is-active --quiet kcollectord.service && ok "kcollectord.service active with certificates" ||
		fail "kcollectord.service is not running: $(systemctl status kcollectord.service 2>&1 | tail -3)"
	systemctl reload kcollectord.service && ok "systemctl reload kcollectord.service" ||
		fail "systemctl reload kcollectord.service failed"
fi

# The installed programs, against the ones in the build tree.
v=$(/usr/bin/kagent --version)
[ "$v" = "kagent $ver" ] && ok "/usr/bin/kagent --version: $v" || fail "/usr/bin/kagent --version: '$v'"
/usr/bin/kagent inventory --json >"$tmp/inv.json"
rc=$?
logical=$(jq .cpu.logical "$tmp/inv.json")
disks=$(jq -r '[.disks[].name] | join(",")' "$tmp/inv.json")
# zram is swap in RAM: lsblk calls it a disk, kagent rightly does not.
want_disks=$(lsblk -dno NAME,TYPE | awk '$2 == "disk" && $1 !~ /^zram/ { print $1 }' | sort | paste -sd,)
want_logical=$(getconf _NPROCESSORS_CONF)
if [ $rc = 0 ] && [ "$logical" = "$want_logical" ] && [ "$disks" = "$want_disks" ]; then
	ok "/usr/bin/kagent inventory: exit 0, logical CPUs $logical (getconf: $want_logical), disks $disks (lsblk: $want_disks)"
else
	fail "/usr/bin/kagent inventory: exit $rc, logical $logical (want $want_logical), disks '$disks' (want '$want_disks')"
fi
/usr/bin/kagent check --role kafka >"$tmp/check.out" 2>&1
rc=$?
"$build/bin/kagent" check --role kafka >"$tmp/check.ref" 2>&1
ref_rc=$?
n=$(grep -c '^' "$tmp/check.out")
if [ $rc = $ref_rc ] && cmp -s "$tmp/check.out" "$tmp/check.ref" && [ $rc -le 3 ] && [ "$n" -gt 5 ]; then
	ok "/usr/bin/kagent check --role kafka: exit $rc, $n lines, same as the build tree's kagent"
else
	fail "/usr/bin/kagent check --role kafka: exit $rc (build tree: $ref_rc), $n lines"
	diff "$tmp/check.ref" "$tmp/check.out" | sed 's/^/    /' | head -20
fi
for m in kagent.1 kagent-ca.1 kagent.conf.5; do
	p=$(man -w "${m%.*}" 2>/dev/null | head -1)
	[ "$p" = "/usr/share/man/man${m##*.}/$m.gz" ] && ok "man -w ${m%.*}: $p" || fail "man -w ${m%.*}: '$p'"
done
verify_units /usr/lib/systemd/system yes $has_agentd $has_colld

# Upgrades never overwrite the configuration: a local change survives a
# reinstall, and remove keeps it.
echo "# local change" >>/etc/kagent/kagent.conf
apt install --reinstall "$deb_a" >"$tmp/reinstall.log" 2>&1 || fail "reinstall failed"
tail -1 /etc/kagent/kagent.conf | grep -qx '# local change' &&
	ok "reinstall kept the changed /etc/kagent/kagent.conf" ||
	fail "reinstall overwrote /etc/kagent/kagent.conf"

apt remove kagent kagent-collector >"$tmp/remove.log" 2>&1 || fail "apt-get remove failed"
for p in kagent kagent-collector; do
	[ "$(pkg_installed $p)" = "rc" ] && ok "$p removed, configuration kept (rc)" || fail "$p status after remove '$(pkg_installed $p)'"
done
[ ! -e /usr/bin/kagent ] && [ ! -e /usr/lib/systemd/system/kagentd.service ] &&
	ok "remove: programs and units gone" || fail "remove left programs or units"
[ -f /etc/kagent/kagent.conf ] && [ -f /etc/kagent-collector/kcollectord.conf ] &&
	ok "remove: both configuration files kept" || fail "remove deleted a configuration file"
if [ $systemd_init = 1 ]; then
	for u in kagentd kcollectord; do
		systemctl is-active --quiet $u.service && fail "$u.service still running after remove" ||
			ok "$u.service not running after remove"
	done
fi

# What the operator added is the operator's to remove.
rm -rf /etc/kagent-collector/tls "$cdb"
apt purge kagent kagent-collector >"$tmp/purge.log" 2>&1 || fail "apt-get purge failed"
for p in kagent kagent-collector; do
	st=$(pkg_installed $p)
	[ -z "$st" ] || [ "$st" = "un" ] && ok "$p purged" || fail "$p status after purge '$st'"
done
after=$(leftovers)
if [ -z "$after" ]; then
	ok "purge: no file, directory, unit symlink, user or group named kagent* or kcollectord* is left"
else
	fail "purge left behind:"
	sed 's/^/    /' <<<"$after"
fi
if [ $systemd_init = 1 ]; then
	pgrep -x kagentd >/dev/null || pgrep -x kcollectord >/dev/null &&
		fail "a daemon still runs after purge" || ok "no daemon running after purge"
fi

trap - EXIT
cleanup
echo "$fails failure(s)"
[ $fails = 0 ]
