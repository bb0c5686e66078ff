#!/bin/bash
# Every program and every kagent subcommand answers -h, --help and
# --version on stdout with nothing on stderr and exit 0; --version says
# "PROGRAM VERSION" with the version of CMakeLists.txt's project(); each
# help lists every option of the command's table in the source (and
# -h/--help, --version), and every option the help lists is accepted.
set -u
bin=$1
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^project(kagent VERSION \([0-9.]*\) .*/\1/p' ../CMakeLists.txt)
[ -n "$version" ] || { echo "FAIL: no version in ../CMakeLists.txt"; exit 1; }

# run NAME ARGS...: stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# The options a help lists: "-c" and "--config" of "  -c, --config FILE".
help_options() {
	awk '/^options:$/ { on = 1; next } on && /^$/ { on = 0 }
	     on && /^  (-[A-Za-z], |    )--[a-z]/ { for (i = 1; i <= NF; i++) {
		w = $i; sub(/,$/, "", w)
		if (w ~ /^-[A-Za-z]$/ || w ~ /^--[a-z][a-z-]*$/) print w
		else break } }' "$1" | sort
}

# The options of a core_opt table: { "config", 'c', OPT_CONFIG, ... }.
table_options() {
	grep -oE '^\s*\{ ?"[a-z][a-z-]*", (0|'"'"'[A-Za-z]'"'"'), OPT_' "$1" |
		sed -E 's/^\s*\{ ?"([a-z-]*)", (0|'"'"'([A-Za-z])'"'"').*/--\1 \3/' |
		tr ' ' '\n' | grep -v '^$' | sed -E 's/^([A-Za-z])$/-\1/'
	printf '%s\n' -h --help --version
}

check_program() { # LABEL PROGRAM SOURCE [SUBCOMMAND]
	local label=$1 prog=$2 src=$3 a want got o
	shift 3
	for a in -h --help --version; do
		run "$bin/$prog" "$@" $a
		if [ $rc != 0 ] || [ -s "$tmp/err" ] || [ ! -s "$tmp/out" ]; then
			fail "$label $a: exit $rc, stderr '$(head -c 200 "$tmp/err")'"
			continue
		fi
		if [ $a = --version ]; then
			got=$(cat "$tmp/out")
			[ "$got" = "$prog $version" ] && ok "$label --version: $got" ||
				fail "$label --version: '$got', expected '$prog $version'"
			continue
		fi
		cp "$tmp/out" "$tmp/help"
		head -1 "$tmp/help" | grep -q "^usage: $prog" &&
			ok "$label $a: usage on stdout, exit 0" ||
			fail "$label $a: first line '$(head -1 "$tmp/help")'"
	done
	[ -z "$src" ] && return
	want=$(table_options "$src" | sort)
	got=$(help_options "$tmp/help")
	if [ "$want" = "$got" ]; then
		ok "$label --help lists the $(wc -l <<<"$want") options of $src: $(echo $got)"
	else
		fail "$label --help and the table of $src differ:"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
	fi
	# Each listed option is accepted: parsing goes on to the next word.
	for o in $got; do
		case $o in -h | --help | --version) continue ;; esac
		run "$bin/$prog" "$@" "$o" x --no-such-option
		cat "$tmp/err" "$tmp/out" | grep -q "unknown or incomplete option '$o" &&
			fail "$label: $o is listed but refused"
	done
	run "$bin/$prog" "$@" --no-such-option
	# A monitoring plugin says everything on stdout, as its status line.
	if [ "$label" = "kagent check" ]; then
		head -1 "$tmp/out" | grep -qx "KAGENT UNKNOWN - kagent check: unknown or incomplete option '--no-such-option'" &&
			[ $rc -eq 3 ] && [ ! -s "$tmp/err" ] &&
			ok "$label --no-such-option: refused as UNKNOWN on stdout, exit $rc" ||
			fail "$label --no-such-option: exit $rc, stdout '$(head -1 "$tmp/out")'"
		return
	fi
	grep -q "^.*: unknown or incomplete option '--no-such-option'$" "$tmp/err" &&
		[ $rc -ne 0 ] && [ ! -s "$tmp/out" ] &&
		ok "$label --no-such-option: refused on stderr, exit $rc" ||
		fail "$label --no-such-option: exit $rc, stderr '$(cat "$tmp/err")'"
}

check_program kagent kagent ""
for c in inventory check smart status fleet; do
	grep -q "^  $c " "$tmp/help" || fail "kagent --help does not list $c"
done
for c in inventory check smart status fleet; do
	check_program "kagent $c" kagent "../agent/cli/cmd_$c.c" $c
done
check_program kagentd kagentd ../agent/daemon/kagentd_main.c
check_program kcollectord kcollectord ../collector/kcollectord_main.c
check_program kagent-ca kagent-ca ""
# kagent-ca's help names its options too.
got=$(help_options "$tmp/help" | tr '\n' ' ')
[ "$got" = "--days --help --ip --version -h " ] && ok "kagent-ca --help lists $got" ||
	fail "kagent-ca --help lists '$got'"
run "$bin/kagent-ca"
[ $rc = 2 ] && [ ! -s "$tmp/out" ] && grep -q '^usage: kagent-ca init DIR$' "$tmp/err" &&
	ok "kagent-ca without a command: usage on stderr, exit 2" ||
	fail "kagent-ca without a command: exit $rc"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
