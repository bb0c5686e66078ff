#!/bin/bash
# The folders are the architecture (DEVELOPERS.md): core/ is what every
# program shares, hw/ and board/ measure, service/ reads what Kafka and
# ZooKeeper would read, agent/ decides (its rooms: facts/, checks/, cli/,
# daemon/), collector/ judges
# the fleet.  kcollectord links core/ and proto/, never the probes nor the
# libraries only they need; hw/, board/ and service/ never include agent/ or
# collector/ headers; collector/ includes only core/, proto/, sandbox/ (its
# seccomp filter) and its own headers.
set -u
shopt -s nullglob
BIN=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}

# ---- kcollectord's binary ----
needed=$(readelf -d "$BIN/kcollectord" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "kcollectord needs: $(tr '\n' ' ' <<<"$needed")"
for lib in libsensors libatasmart liblldpctl libcap-ng; do
	hit=$(grep -F "$lib." <<<"$needed")
	check "kcollectord does not link $lib (${hit:-none})" test -z "$hit"
done
probes=$(nm --defined-only --extern-only "$BIN/kcollectord" | awk '$3 ~ /^(hw|board|health)_/ { print $3 }')
check "kcollectord defines no hw_, board_ or health_ symbol ($(wc -w <<<"$probes"): $(head -c 200 <<<"$probes" | tr '\n' ' '))" \
	test -z "$probes"

# ---- includes, by folder ----
# Every quoted include names a header by its file name; that name must be
# one folder's only.
declare -A home
for h in "$SRC"/{core,hw,board,service,proto,sandbox,agent,collector}/*.h \
	"$SRC"/agent/{facts,checks,cli,daemon}/*.h; do
	b=$(basename "$h")
	d=$(dirname "${h#"$SRC"/}")
	if [ -n "${home[$b]:-}" ]; then
		echo "FAIL header $b is in both ${home[$b]}/ and $d/"
		fail=1
	fi
	home[$b]=$d
done
home[kagent.pb.h]=proto   # generated from proto/kagent.proto

# allowed FOLDER DIRS...: each quoted include of FOLDER's sources resolves
# into one of DIRS.
allowed() {
	local folder=$1 bad="" f inc d
	shift
	for f in "$SRC/$folder"/*.[ch]; do
		while read -r inc; do
			d=${home[$inc]:-unknown}
			[[ " $* " == *" $d "* ]] || bad+=" $(basename "$f"):$inc($d/)"
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done
	check "$folder/ includes only headers of $* (${bad:-all do})" test -z "$bad"
}
allowed core core
allowed hw core hw
allowed board core hw board
allowed service core hw service
allowed collector core proto sandbox collector
# agent/'s rooms: the facts judge nothing and the checks run nowhere in
# particular, so neither includes the CLI or the daemon; the CLI and the
# daemon are two programs and include nothing of each other.
allowed agent core hw board service proto agent
allowed agent/facts core hw board service proto agent agent/facts
allowed agent/checks core hw board service proto agent agent/facts agent/checks
allowed agent/cli core hw board service proto agent agent/facts agent/checks agent/cli
allowed agent/daemon core hw board service proto sandbox agent agent/facts agent/checks agent/daemon

exit $fail
