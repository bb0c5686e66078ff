#!/bin/bash
# The README's table of host checks is `kagent check --list`, row for row:
# the table in the code and the documented one cannot drift apart.
set -euo pipefail
bin=$1
readme=../README.md
want=$("$bin/kagent" check --list | awk '{
	id = $1; roles = $2; $1 = ""; $2 = ""; sub(/^ +/, "")
	if (roles == "every") { roles = "every host"; sub(/^host +/, "") }
	printf "| `%s` | %s | %s |\n", id, roles, $0 }')
have=$(sed -n '/<!-- checks:begin -->/,/<!-- checks:end -->/p' "$readme" | grep '^| `')
if [ "$want" != "$have" ]; then
	echo "README.md's check table differs from 'kagent check --list':"
	diff <(echo "$want") <(echo "$have") || true
	exit 1
fi
echo "README lists the $(echo "$want" | wc -l) checks of 'kagent check --list'"
