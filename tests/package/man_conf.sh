#!/bin/bash
# kagent.conf(5) lists every threshold of agent/conf.c with its section and
# default, and no other: the table and the page cannot drift apart.
set -u
cd "$(dirname "$0")/../.."
# { "kafka.memory.heap", "kafka", TH(kafka_heap), true, 6 * GiB, "..." }
from_code=$(sed -n 's/^\t{ "\([^"]*\)", "\([^"]*\)", TH([a-z_]*), [a-z]*, \([^,]*\), ".*$/\1 \2 \3/p' agent/conf.c |
	sed 's/ \* //' | sort)
from_man=$(sed -n 's/^\*\([a-z_.]*\)\* (in \[\([a-z]*\)\], default \([^)]*\))$/\1 \2 \3/p' man/kagent.conf.5.scd | sort)
n=$(grep -c . <<<"$from_code")
echo "agent/conf.c: $n thresholds; man/kagent.conf.5.scd: $(grep -c . <<<"$from_man")"
if [ "$n" -gt 0 ] && [ "$from_code" = "$from_man" ]; then
	echo "ok: every threshold, section and default agree"
else
	echo "FAIL: conf.c (<) and kagent.conf(5) (>) differ:"
	diff <(echo "$from_code") <(echo "$from_man")
	exit 1
fi
