#!/bin/bash
# Soak: N simulated agents (default 1000) reporting to one kcollectord as
# fast as acks allow for T seconds (default 600), the collector's RSS
# sampled every second; then every agent reconnects and the collector's
# stored seq must equal its last acked seq, and the collector's counters
# must show every acked report stored once and no seq gap.
#   bench/soak.sh [--insecure] [BINDIR [AGENTS [SECONDS]]]
# Mutual TLS by default, as shipped: a CA and the collector's certificate
# made here with packaging/kagent-ca, an ACL (`report loadgen-* soak`,
# `read loopback` for this script's plain-HTTP curl of /metrics), and
# loadgen issuing every agent its own certificate from that CA.  The
# collector must count no plaintext (kagent_collector_insecure 0) and
# loadgen must see every agent's handshake end in TLS 1.3.  --insecure
# runs both sides plaintext, for comparison.
# Exit 0 only with zero loss.
set -u
here=$(cd "$(dirname "$0")" && pwd)
insecure=0
if [ "${1:-}" = --insecure ]; then
	insecure=1
	shift
fi
bin=${1:-build/bin}
agents=${2:-1000}
seconds=${3:-600}
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
ulimit -n $((agents * 2 + 256))
read -r port hport < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
. "$here/loadgen_tls.sh"
loadgen_tls "$insecure" "$dir" || exit 1
mode="mutual TLS"
[ "$insecure" -eq 0 ] || mode=plaintext
# Every simulated agent comes from 127.0.0.1 and they connect at once:
# no cap per address on connections not yet authenticated.  Started as
# root, the collector becomes nobody.
"$bin/kcollectord" "${coll_tls[@]}" --listen 127.0.0.1:$port \
	--http 127.0.0.1:$hport --db "$dir/c.db" --user nobody \
	--max-pending 1000000 --max-pending-per-address 1000000 2>"$dir/log" &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$hport/metrics" >/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$dir/log"; exit 1; }
	sleep 0.05
done
# The collector on core 0, the agents on core 1, when there are two.
if [ "$(nproc)" -ge 2 ]; then
	taskset -pc 0 "$pid" >/dev/null
	set -- taskset -c 1
else
	set --
fi
echo "soak: $agents agents, $seconds s, $mode"
"$@" "$bin/loadgen" "${lg_tls[@]}" --cluster soak --connect 127.0.0.1:$port \
	--agents "$agents" --seconds "$seconds" --pid "$pid" --sample --verify |
	tee "$dir/out" | grep -v '^rss [0-9]* s:'
lg=${PIPESTATUS[0]}
# The first five samples, then about a dozen over the run.
step=$((seconds / 12 > 0 ? seconds / 12 : 1))
grep '^rss [0-9]* s:' "$dir/out" | awk -v step=$step 'NR % step == 0 || NR <= 5'
# utime + stime of the collector (fields 14, 15 after the command name),
# which counts only the time it ran, not the time it waited for a core.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat")
echo "collector CPU: $cpu s"
acked=$(sed -n 's/^reports: \([0-9]*\) acked.*/\1/p' "$dir/out")
m=$(curl -sf "http://127.0.0.1:$hport/metrics")
val() { echo "$m" | sed -n "s/^$1 //p"; }
stored=$(val kagent_collector_reports_total)
dups=$(val kagent_collector_duplicates_total)
gaps=$(val kagent_collector_seq_gaps_total)
accepted=$(val kagent_collector_accepted_total)
plain=$(val kagent_collector_insecure)
rej=$(echo "$m" | sed -n 's/^kagent_collector_rejected_total{[^}]*} //p' | awk '{ s += $1 } END { print s + 0 }')
[ -n "$acked" ] && [ "$acked" -gt 0 ] &&
	awk -v c="$cpu" -v n="$acked" 'BEGIN { printf "collector CPU per report: %.1f us (all phases counted)\n", c * 1e6 / n }'
echo "acked by the collector: $acked; stored: $stored; duplicates: $dups; seq gaps: $gaps; rejected connections: $rej"
echo "connections accepted: $accepted (2 per agent: the run, the verify); kagent_collector_insecure $plain"
fail=0
[ "$lg" -eq 0 ] || { echo "FAIL loadgen exit status $lg (a wrong ack, an unacked report, a mismatched seq or a missing TLS handshake)"; fail=1; }
[ -n "$acked" ] && [ "$acked" -gt 0 ] || { echo "FAIL no report acked"; fail=1; }
# Every agent's first report after its hello is a new host's first, the
# seqs it sends follow one another: stored must equal acked exactly.
[ "${stored:-x}" = "${acked:-y}" ] || { echo "FAIL stored $stored != acked $acked"; fail=1; }
[ "${dups:-x}" = 0 ] || { echo "FAIL duplicates $dups"; fail=1; }
[ "${gaps:-x}" = 0 ] || { echo "FAIL seq gaps $gaps"; fail=1; }
[ "$rej" = 0 ] || { echo "FAIL rejected $rej"; fail=1; }
[ "${accepted:-x}" = $((agents * 2)) ] || { echo "FAIL accepted $accepted != $((agents * 2))"; fail=1; }
# A collector that fell back to plaintext would say 1 here; loadgen has
# already checked that every agent's handshake ended in TLS 1.3.
[ "${plain:-x}" = $insecure ] || { echo "FAIL kagent_collector_insecure $plain, expected $insecure"; fail=1; }
if [ $insecure -eq 0 ]; then
	tls=$(sed -n 's/^tls: \([0-9]*\) agents handshaken.*/\1/p; s/^verify: \([0-9]*\) agents handshaken.*/\1/p' "$dir/out" | awk '{ s += $1 } END { print s + 0 }')
	[ "$tls" = $((agents * 2)) ] || { echo "FAIL TLS 1.3 handshakes $tls != $((agents * 2))"; fail=1; }
	echo "TLS 1.3 handshakes seen by loadgen: $tls of $((agents * 2)) connections"
fi
[ $fail -eq 0 ] && echo "zero loss: every acked report stored once, in order ($mode)"
[ $fail -eq 0 ] || tail -20 "$dir/log"
exit $fail
