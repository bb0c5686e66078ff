#!/bin/bash
# tests/MODULES.md maps every production source file to the tests that
# exercise it (as libuv's test-list.h does).  It fails when a .c file of
# core/ hw/ board/ service/ proto/ sandbox/ agent/ collector/ has no row,
# when a row names a file that does not exist or no test, or when it
# names a test that ctest in this build does not know.
set -u
bin=$1
build=$(cd "$bin/.." && pwd)
table=MODULES.md
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

known=$(cd "$build" && ctest -N | sed -n 's/^ *Test *#[0-9]*: //p' | sort -u)
[ -n "$known" ] || { echo "FAIL: ctest -N in $build lists no test"; exit 1; }
files=$(cd .. && find core hw board service proto sandbox agent collector -name '*.c' | sort)
rows=$(grep -E '^\| `[^`]+` \|' "$table")
listed=$(sed -E 's/^\| `([^`]+)` \|.*/\1/' <<<"$rows" | sort)

dups=$(uniq -d <<<"$listed")
[ -z "$dups" ] || fail "listed twice: $(echo $dups)"
for f in $(comm -23 <(echo "$files") <(sort -u <<<"$listed")); do
	fail "$f has no row in tests/$table"
done
for f in $(comm -13 <(echo "$files") <(sort -u <<<"$listed")); do
	fail "tests/$table names $f, which is no production source file"
done
n_tests=0
while IFS= read -r row; do
	f=$(sed -E 's/^\| `([^`]+)` \|.*/\1/' <<<"$row")
	tests=$(sed -E 's/^\| `[^`]+` \|(.*)\|$/\1/' <<<"$row" | grep -oE '`[^`]+`' | tr -d '`')
	[ -n "$tests" ] || fail "$f: no test named"
	for t in $tests; do
		n_tests=$((n_tests + 1))
		grep -qxF "$t" <<<"$known" || fail "$f: test '$t' is not known to ctest"
	done
done <<<"$rows"
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "tests/$table: $(wc -l <<<"$files") source files, each with its tests ($n_tests names, all known to ctest)"
