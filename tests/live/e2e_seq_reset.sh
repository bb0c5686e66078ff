#!/bin/bash
# A kagentd whose spool is lost (a purge and reinstall, a host re-imaged
# with the same certificate) starts again at seq 1 while the collector
# holds seq N of its host.  The agent must continue from N + 1, say so in
# one log line and in `kagent status`, and the collector must count it in
# kagent_collector_seq_resets_total; before, every report at or below N
# counted as in flight and after 64 of them nothing was sent again; here
# nothing at all, since all the new seqs stay below N.
set -u
BIN=$1
. live/lib/e2e.sh
fail=0
ID=kafka2-reset
say() { echo "$1"; }
bad() { echo "FAIL $1"; fail=1; }

e2e_collector_start || exit 1
e2e_agent_start "$ID" kafka2 r1 kafka e2e-kafka-3.6.1 || exit 1
e2e_wait_acked "$ID" 3 30 || bad "the first reports were not acknowledged"
e2e_agent_stop "$ID" TERM
# A host that had reported for a while before it was re-imaged: its
# stored seq is moved on to 1000 (above the 64 reports the window
# holds) in the collector's own database while the collector is down.
e2e_collector_stop TERM
sqlite3 "$T/collector.db" "UPDATE hosts SET last_seq = 1000 WHERE host_id = '$ID'" ||
	bad "sqlite3"
e2e_collector_start || exit 1
N=$(curl -sf "$COLL_URL/api/hosts/$ID" | jq -r .seq)
say "collector holds seq $N of $ID; spool wiped"
[ "$N" = 1000 ] || bad "collector seq $N, want 1000"
rm -rf "${T:?}/$ID/spool/"*
ls -A "$T/$ID/spool" | grep -q . && bad "spool not empty"

e2e_agent_start "$ID" kafka2 r1 kafka e2e-kafka-3.6.1 || exit 1
e2e_wait_acked "$ID" $((N + 2)) 30 ||
	bad "no report above $N acknowledged within 30 s after the wipe"
S=$(e2e_status "$ID")
echo "status: $(echo "$S" | jq -c '{last_report_seq, last_acked_seq, uplink, warnings}')"
STORED=$(curl -sf "$COLL_URL/api/hosts/$ID" | jq -r .seq)
say "collector now holds seq $STORED"
[ "$STORED" -ge $((N + 2)) ] || bad "collector seq $STORED, want >= $((N + 2))"
python3 - "$S" "$N" <<'PY' || fail=1
import json, sys
d, n = json.loads(sys.argv[1]), int(sys.argv[2])
r = d["uplink"]["seq_reset"] or {}
want = [("uplink.seq_resets == 1", d["uplink"]["seq_resets"] == 1),
        ("seq_reset.collector_seq == %d" % n, r.get("collector_seq") == n),
        # The first report may be spooled before the hello (agent_seq 1)
        # or between the hello and its ack (agent_seq 0, renumbered 1).
        ("seq_reset.agent_seq in (0, 1)", r.get("agent_seq") in (0, 1)),
        ("seq_reset.renumbered in (agent_seq, 1)",
         r.get("renumbered") in (r.get("agent_seq"), 1)),
        ("last_acked_seq >= %d" % (n + 2), d["last_acked_seq"] >= n + 2),
        ("last_report_seq > %d" % n, d["last_report_seq"] > n),
        ("a warning names the reset",
         any(w.startswith("the collector had seq %d of this host, the spool ended at %d: "
                          "spool lost or reset; reports continue from %d"
                          % (n, r.get("agent_seq", -1), n + 1)) for w in d["warnings"])),
        ("ack_timeouts == 0", d["uplink"]["ack_timeouts"] == 0)]
for name, ok in want:
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(0 if all(ok for _, ok in want) else 1)
PY
A=$(echo "$S" | jq -r .uplink.seq_reset.agent_seq)
R=$(echo "$S" | jq -r .uplink.seq_reset.renumbered)
LINE="kagentd: collector 127.0.0.1:$LISTEN_PORT has stored seq $N of host $ID, this spool ends at seq $A (spool lost or reset): reports continue from seq $((N + 1)), $R unsent report(s) renumbered"
c=$(grep -cxF "$LINE" "$T/$ID/log")
echo "agent log lines '$LINE': $c (want 1)"
[ "$c" = 1 ] || bad "agent log line"
c=$(grep -c "host $ID: agent's seq $A is behind the stored $N: its spool was lost or reset$" "$T/collector.log")
echo "collector log lines of the reset: $c (want 1)"
[ "$c" = 1 ] || bad "collector log line"
M=$(curl -sf "$COLL_URL/metrics")
echo "$M" | grep -E '^kagent_collector_(seq_resets|seq_gaps)_total'
echo "$M" | grep -qx 'kagent_collector_seq_resets_total 1' || bad "seq_resets_total"
echo "$M" | grep -qx 'kagent_collector_seq_gaps_total 0' || bad "seq_gaps_total (N + 1 follows N)"
TXT=$("$BIN/kagent" status --socket "$T/$ID/kagent.sock")
echo "$TXT" | grep -E '^(seq resets|WARNING)'
echo "$TXT" | grep -qxF "seq resets       1, last: collector had $N, spool ended at $A, $R renumbered" ||
	bad "text status seq resets line"
[ $fail -eq 0 ] || { echo "--- agent log"; cat "$T/$ID/log"; echo "--- collector log"; cat "$T/collector.log"; }
exit $fail
