#!/bin/bash
# A collector killed (SIGKILL) while 50 windowed agents keep 32 reports
# each in flight loses no acknowledged report: the database, opened after
# the crash, holds for every host a seq at or above the one its agent last
# had acked and at most the one it last sent.  A report may be stored and
# its ack lost with the process (the agent resends it); never the other
# way round.  Then a collector restarted on that database answers every
# agent's hello with exactly that stored seq.
# The handshake timeout is long: a sanitized build under load may take
# more than the default 5 s for a TLS handshake, which is not tested here.
set -u
BIN=$1
dir=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
fail=0
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
read -r port hport < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
chmod 755 "$dir"
start() {
	"$BIN/kcollectord" --insecure --listen 127.0.0.1:$port \
		--http 127.0.0.1:$hport --db "$dir/c.db" --user nobody \
		--handshake-timeout 60 \
		2>>"$dir/log" &
	pid=$!
	local i=0
	until curl -sf "http://127.0.0.1:$hport/metrics" >/dev/null; do
		i=$((i + 1)); [ $i -lt 200 ] || { cat "$dir/log"; exit 1; }
		sleep 0.05
	done
}
start
"$BIN/loadgen" --insecure --cluster soak --connect 127.0.0.1:$port \
	--agents 50 --sources 4 --inflight 32 --seconds 6 --acked "$dir/acked" \
	>"$dir/out" 2>&1 &
lg=$!
# Reports flow once every agent is connected; kill in the middle (a
# slow, sanitized collector may store only a few hundred in the run).
i=0
until [ "$(curl -sf --max-time 5 "http://127.0.0.1:$hport/metrics" | awk '$1 == "kagent_collector_reports_total" { print $2 }')" -gt 200 ] 2>/dev/null; do
	i=$((i + 1))
	if [ $i -ge 400 ] || ! kill -0 "$lg" 2>/dev/null; then
		echo "FAIL no reports flowed while loadgen ran"; cat "$dir/out"; exit 1
	fi
	sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
wait "$lg"
cat "$dir/out"
check "loadgen wrote each agent's last acked and sent seq" [ "$(wc -l <"$dir/acked")" -eq 50 ]
sqlite3 "$dir/c.db" 'SELECT host_id, last_seq FROM hosts' | tr '|' ' ' >"$dir/stored"
# host acked sent stored
join <(sort "$dir/acked") <(sort "$dir/stored") >"$dir/joined"
check "50 hosts stored after the crash" [ "$(wc -l <"$dir/joined")" -eq 50 ]
awk '{ a += $2 - 34359738367; s += $4 - 34359738367 }
     END { printf "acked %d reports, %d stored (a stored report whose ack died with the collector is resent)\n", a, s }' "$dir/joined"
check "every agent had reports acked before the crash" \
	[ -z "$(awk '$2 < 34359738368' "$dir/joined")" ]
check "no host stored below its last acked seq, nor above its last sent" \
	[ -z "$(awk '$4 < $2 || $4 > $3' "$dir/joined")" ]
awk '$4 < $2 || $4 > $3' "$dir/joined" | head -5
# The restarted collector answers each hello with the stored seq.
start
"$BIN/loadgen" --insecure --cluster soak --connect 127.0.0.1:$port \
	--agents 50 --sources 4 --inflight 32 --seconds 1 --acked "$dir/acked2" \
	>"$dir/out2" 2>&1
rc=$?
cat "$dir/out2"
check "after the restart every agent reports again" [ "$rc" -eq 0 ]
kill "$pid"; wait "$pid"; pid=
sqlite3 "$dir/c.db" 'SELECT host_id, last_seq FROM hosts' | tr '|' ' ' | sort >"$dir/stored2"
awk '{ print $1, $2 }' "$dir/acked2" | sort >"$dir/want2"
check "each host stored exactly at its agent's last acked seq" cmp -s "$dir/want2" "$dir/stored2"
[ $fail -eq 0 ] || { tail -20 "$dir/log"; exit 1; }
echo PASS
