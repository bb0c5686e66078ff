#!/bin/bash
# An agent of before the window and a windowed one against one real
# kcollectord over mutual TLS, at once: 20 loadgen agents whose hello asks
# for no window (one report in flight, as before) and 20 asking for 16.
# Both runs end with every report acked, and reconnect (--verify): the
# collector's hello-ack for each host equals that agent's last acked seq.
# The database then holds, for each of the 40 hosts, exactly the seq its
# agent last had acked; the collector counted no rejected connection, no
# seq gap and no duplicate, and exactly as many reports as were acked.
# The handshake timeout is long: a sanitized build under load may take
# more than the default 5 s for a TLS handshake, which is not tested here.
set -u
BIN=$1
dir=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
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
. ../bench/loadgen_tls.sh
loadgen_tls 0 "$dir" || exit 1
chmod 755 "$dir"
"$BIN/kcollectord" "${coll_tls[@]}" --listen 127.0.0.1:$port \
	--http 127.0.0.1:$hport --db "$dir/c.db" --user nobody \
	--handshake-timeout 60 2>"$dir/log" &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$hport/metrics" >/dev/null; do
	i=$((i + 1)); [ $i -lt 200 ] || { cat "$dir/log"; exit 1; }
	sleep 0.05
done
lg() { # lg NAME FIRST [ARGS...]
	local name=$1 first=$2
	shift 2
	"$BIN/loadgen" "${lg_tls[@]}" --cluster soak \
		--connect 127.0.0.1:$port --agents 20 --first "$first" \
		--seconds 3 --sources 4 --verify --acked "$dir/$name.acked" "$@" \
		>"$dir/$name.out" 2>&1
}
lg old 0 & old=$!
lg win 1000 --inflight 16 & win=$!
wait "$old"; rc_old=$?
wait "$win"; rc_win=$?
sed 's/^/old: /' "$dir/old.out"
sed 's/^/win: /' "$dir/win.out"
check "agent without a window: every report acked, stored == last acked on reconnect" [ "$rc_old" -eq 0 ]
check "windowed agent: every report acked, stored == last acked on reconnect" [ "$rc_win" -eq 0 ]
check "the hello without a window keeps one report in flight" \
	grep -qx 'window: 1 reports in flight per agent, hello without one' "$dir/old.out"
check "the windowed hello is granted 16" \
	grep -qx 'window: 16 reports in flight per agent, asked in the hello' "$dir/win.out"
check "the verify reconnected all 20 agents of each" \
	grep -q '^verify: 20 agents reconnected.* 0 failed; stored seq == last acked seq for 20, 0 mismatched$' "$dir/win.out" "$dir/old.out"
M=$(curl -sf "http://127.0.0.1:$hport/metrics")
kill "$pid"; wait "$pid"; pid=
metric() { awk -v k="$1" '$1 == k { print $2 }' <<<"$M"; }
# Each host's stored seq is exactly its agent's last acked one.
sort "$dir/old.acked" "$dir/win.acked" | awk '{ print $1 "|" $2 }' >"$dir/want"
sqlite3 "$dir/c.db" 'SELECT host_id, last_seq FROM hosts ORDER BY host_id' >"$dir/got"
check "40 hosts stored, each at its agent's last acked seq" \
	cmp -s "$dir/want" "$dir/got"
[ "$(wc -l <"$dir/got")" -eq 40 ] || { echo "FAIL $(wc -l <"$dir/got") hosts stored"; fail=1; }
diff "$dir/want" "$dir/got" | head -5
acked=$(cat "$dir/old.out" "$dir/win.out" | sed -n 's/^reports: \([0-9]*\) acked.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
echo "reports acked: $acked; collector: reports $(metric kagent_collector_reports_total), duplicates $(metric kagent_collector_duplicates_total), seq gaps $(metric kagent_collector_seq_gaps_total)"
check "the collector stored exactly the reports acked" [ "$(metric kagent_collector_reports_total)" = "$acked" ]
check "no duplicate, no seq gap" [ "$(metric kagent_collector_duplicates_total)$(metric kagent_collector_seq_gaps_total)" = 00 ]
check "no rejected connection" [ -z "$(awk '/^kagent_collector_rejected_total/ && $2 != 0' <<<"$M")" ]
[ $fail -eq 0 ] || { tail -20 "$dir/log"; exit 1; }
echo PASS
