#!/bin/bash
# packaging/kagent.bash-completion: bash -n, then the completion function
# called as bash calls it (COMP_WORDS, COMP_CWORD) against the kagent just
# built, each answer compared with the exact expected words: commands,
# each command's options, roles, check ids after --skip, files after
# --config and directories after --root.
set -u
bin=$1
comp=../packaging/kagent.bash-completion
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

bash -n "$comp" && ok "bash -n $comp" || fail "bash -n $comp"
# shellcheck source=/dev/null
. "$comp"
got=$(complete -p kagent)
[ "$got" = "complete -o filenames -F _kagent kagent" ] && ok "$got" || fail "complete -p kagent: '$got'"

expect() { # WANT WORD...: the words offered for the last WORD
	local want=$1
	shift
	COMP_WORDS=("$bin/kagent" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kagent
	local got="${COMPREPLY[*]}"
	# Files come in directory order; bash shows them sorted.
	[ -n "${SORTED-}" ] && got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] && ok "kagent $*| -> $got" ||
		fail "kagent $*|: '$got', expected '$want'"
}

expect "inventory check smart status fleet -h --help --version" ""
expect "smart status" s
expect "--help" --h
expect "--root --json --no-smart --lldp-socket --help --version" inventory ""
expect "--role --config --root --json --list --timeout --skip --unknown --help --version" check ""
expect "--role --root" check --r
expect "--load --smartctl-json --device --type --json --help --version" smart ""
expect "--socket --config --json --help --version" status ""
expect "--collector --tls-ca --tls-cert --tls-key --json --forget --capacity --partial --reassign --from --out --drain --force --throttle-percent --help --version" fleet ""
expect "zookeeper kafka zookeeper,kafka" check --role ""
expect "kafka" check --role k
# Check ids: the os.* ones of `kagent check --list`, in its order.
expect "os.swappiness os.nofile os.max_map_count os.clock os.filesystem" check --skip os.
COMP_WORDS=("$bin/kagent" check --skip "")
COMP_CWORD=3
_kagent
want=$("$bin/kagent" check --list | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')
[ "${COMPREPLY[*]}" = "$want" ] && ok "kagent check --skip | -> the ${#COMPREPLY[@]} ids of kagent check --list" ||
	fail "kagent check --skip |: '${COMPREPLY[*]}', expected '$want'"
# Files after --config (FILE), directories only after --root (DIR).
expect "fixtures/check-sec-good/kagent.conf" check --config fixtures/check-sec-good/kagent.c
SORTED=1 expect "fixtures/check-zk-hdd6g fixtures/check-zk-mem1g fixtures/check-zk-mem2g fixtures/check-zk-ssd8g" \
	check --root fixtures/check-zk-
expect "fixtures/check-sec-good/etc" check --root fixtures/check-sec-good/e
expect "" check --root fixtures/check-sec-good/kagent.c
# A value that is no file and no role: nothing offered.
expect "" fleet --collector ""
# --reassign's: a file after --from, a directory after --out, nothing
# after --drain (BROKER_ID, a value name with an underscore).
expect "fixtures/reassign/scale-out.json" fleet --reassign kp --from fixtures/reassign/scale-
expect "fixtures/reassign" fleet --reassign kp --out fixtures/reas
expect "" fleet --reassign kp --drain ""

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
