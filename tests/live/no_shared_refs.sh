#!/bin/bash
# A clone of the repository alone runs every test: nothing the tests, the
# benchmarks, the scripts or the build read may lie in a shared folder
# beside the checkout.  The captures the tests use are copied into
# tests/fixtures/corpus, the board runner into tests/board.  A comment may
# still say where a copy came from; documentation (*.md) is not read at run
# time and is not searched.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

# Written so that this file does not match itself.
pattern='\.\./shared|shared/(corpus|tools)'

files() {
	local d
	for d in tests bench scripts .ci; do
		[ -d "$d" ] && find "$d" -type f ! -name '*.md'
	done
	# Every CMake and make file of the source tree, none of the build
	# trees (build/, build-*/ as the Makefile names them).
	find . \( -path './build' -o -path './build-*' -o -name CMakeFiles \) -prune -o \
		-type f \( -name CMakeLists.txt -o -name '*.cmake' -o -name Makefile \) \
		-print | sed 's|^\./||'
}

# A match is a comment when a '#', '//' or '/*' comes before it on its
# line, or the line is the inside of a C block comment (' * ...').
found=$(files | sort -u | tr '\n' '\0' |
	{ xargs -0 grep -InE "$pattern" -- /dev/null || true; } |
	PAT=$pattern awk '{
		pat = ENVIRON["PAT"]
		rest = $0
		sub(/^[^:]*:[0-9]+:/, "", rest)
		match(rest, pat)
		before = substr(rest, 1, RSTART - 1)
		if (before ~ /#|\/\/|\/\*/ || before ~ /^[ \t]*\*/) next
		print
	}')
if [ -n "$found" ]; then
	echo "outside comments, these lines read a shared folder beside the checkout:"
	echo "$found"
	exit 1
fi
echo "no file under tests/, bench/, scripts/, .ci/ nor any CMake or make file reads a shared folder"
