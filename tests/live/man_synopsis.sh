#!/bin/bash
# The SYNOPSIS of each man page names exactly the options the program's
# --help lists (which core_opt prints from the option table): for kagent,
# per command, its synopsis lines plus the "kagent [COMMAND] -h | --help |
# --version" line.  A flag added to a table and not to the page, or the
# reverse, fails here.
set -u
bin=$1
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

# The options a --help lists, from its "options:" section.
help_options() {
	"$@" --help | awk '/^options:$/ { on = 1; next } on && /^$/ { on = 0 }
	     on && /^  (-[A-Za-z], |    )--[a-z]/ { for (i = 1; i <= NF; i++) {
		w = $i; sub(/,$/, "", w)
		if (w ~ /^-[A-Za-z]$/ || w ~ /^--[a-z][a-z-]*$/) print w
		else break } }' | sort -u
}

# The flags (*--name*, *-c*) of the SYNOPSIS lines of PAGE that start
# with one of the given prefixes ("*kagent check", "*kagentd*").
synopsis_options() { # PAGE PREFIX...
	local page=$1
	shift
	sed -n '/^# SYNOPSIS/,/^# [A-Z]/p' "$page" | grep -F "$(printf '%s\n' "$@")" |
		grep -oE '\*-(-[a-z][a-z-]*|[A-Za-z])\*' | tr -d '*' | sort -u
}

compare() { # LABEL WANT(help) GOT(man)
	if [ "$2" = "$3" ]; then
		ok "$1: synopsis = --help: $(echo $2)"
	else
		fail "$1: the man synopsis (>) and --help (<) differ:"
		diff <(echo "$2") <(echo "$3") | sed 's/^/    /'
	fi
}

for c in inventory check smart status fleet; do
	compare "kagent $c" "$(help_options "$bin/kagent" $c)" \
		"$(synopsis_options ../man/kagent.1.scd "*kagent $c" '*kagent* [_COMMAND_]')"
done
compare kagentd "$(help_options "$bin/kagentd")" \
	"$(synopsis_options ../man/kagentd.8.scd '*kagentd*')"
compare kcollectord "$(help_options "$bin/kcollectord")" \
	"$(synopsis_options ../man/kcollectord.8.scd '*kcollectord*')"
compare kagent-ca "$(help_options "$bin/kagent-ca")" \
	"$(synopsis_options ../man/kagent-ca.1.scd '*kagent-ca')"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
