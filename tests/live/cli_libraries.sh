#!/bin/bash
# Which shared libraries each kagent command loads, exactly, as the dynamic
# loader reports them (LD_DEBUG=libs: every object it initialises, for
# each program a process runs).  kagent itself links only what inventory
# and smart call (libjansson, libsensors, libatasmart, liblldpctl and
# theirs); check, status and fleet run in kagent-full, which kagent execs
# in the same process: OpenSSL, libuv, libinih and libhttp-parser are
# loaded there only.  Also the DT_NEEDED entries of both programs.
set -u
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # check WHAT GOT WANT
	if [ "$2" = "$3" ]; then echo "ok   $1: $2"; else echo "FAIL $1: got '$2', want '$3'"; fail=1; fi
}
LIGHT="ld-linux-x86-64.so.2 libatasmart.so.4 libbsd.so.0 libc.so.6 libjansson.so.4 liblldpctl.so.4 libm.so.6 libmd.so.0 libsensors.so.5 libudev.so.1"
FULL="ld-linux-x86-64.so.2 libatasmart.so.4 libbsd.so.0 libc.so.6 libcrypto.so.3 libhttp_parser.so.2.9 libinih.so.1 libjansson.so.4 liblldpctl.so.4 libm.so.6 libmd.so.0 libsensors.so.5 libssl.so.3 libudev.so.1 libuv.so.1"

# A sanitizer build (make check-sanitize) adds its runtimes to every
# program, which are left out of the comparison, and links without
# --as-needed, so kagent-full also names libcap-ng and libseccomp (the
# daemons' libraries, which kagent-full never calls).
SAN_RT='^(libasan|libubsan|libgcc_s|libstdc\+\+)\.so'
if readelf -d "$BIN/kagent" | grep -q 'NEEDED.*libasan'; then
	FULL=$(echo $FULL libcap-ng.so.0 libseccomp.so.2 | tr ' ' '\n' | sort | xargs)
fi
nort() { tr ' ' '\n' | grep -Ev "$SAN_RT" | sort | xargs; }

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | nort; }
check "kagent DT_NEEDED" "$(needed "$BIN/kagent")" \
	"libatasmart.so.4 libc.so.6 libjansson.so.4 liblldpctl.so.4 libsensors.so.5"
check "kagent-full DT_NEEDED has libssl" "$(needed "$BIN/kagent-full" | grep -o 'libssl[^ ]*')" libssl.so.3

# loaded ARGS...: for each program the process ran (kagent, then
# kagent-full when it execs it), one line: the sorted base names of the
# objects the loader initialised for it, which it logs before
# "initialize program".
loaded() {
	rm -f "$T"/ld.*
	LD_DEBUG=libs LD_DEBUG_OUTPUT=$T/ld "$BIN/kagent" "$@" > "$T/out" 2>&1
	echo "exit $?" >> "$T/out"
	awk '/calling init:/ { b = $NF; sub(/.*\//, "", b); l = l " " b }
		/initialize program:/ { print l; l = "" }' "$T"/ld.* |
		while read -r libs; do
			echo $libs | nort | tr ' ' '\n' | sort -u | xargs
		done
}

check "kagent inventory --json" "$(loaded inventory --json)" "$LIGHT"
check "kagent inventory exit" "$(tail -1 "$T/out")" "exit 0"
check "kagent smart --help" "$(loaded smart --help)" "$LIGHT"
check "kagent --version" "$(loaded --version)" "$LIGHT"
got=$(loaded check --role kafka --root "$PWD/fixtures/e2e-kafka-3.6.1" --skip agent.tls.expiry)
check "kagent check: kagent, then kagent-full" "$(echo "$got" | tr '\n' '|')" "$LIGHT|$FULL|"
# The same answer as kagent-full run directly.
"$BIN/kagent-full" check --role kafka --root "$PWD/fixtures/e2e-kafka-3.6.1" --skip agent.tls.expiry > "$T/direct" 2>&1
echo "exit $?" >> "$T/direct"
check "kagent check: output and exit as kagent-full's ($(wc -l < "$T/out") lines, $(tail -1 "$T/out"))" \
	"$(cmp -s "$T/out" "$T/direct" && echo same)" same
check "kagent status" "$(loaded status --socket "$T/none.sock" --json | tr '\n' '|')" "$LIGHT|$FULL|"
check "kagent fleet --help" "$(loaded fleet --help | tr '\n' '|')" "$LIGHT|$FULL|"
[ $fail -eq 0 ] && echo PASS
exit $fail
