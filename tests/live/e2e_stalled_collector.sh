#!/bin/bash
# A collector that stops answering without closing (here: SIGSTOP; its
# kernel still accepts connections and buffers what is sent) must not
# stop an agent's reports in silence.  With reports in flight and no ack
# for 20 s the agent closes and says so; a new connection whose TLS
# handshake and hello-ack never come is closed after 10 s; both show in
# `kagent status`, and once the collector runs again reports flow again.
set -u
BIN=$1
. live/lib/e2e.sh
fail=0
ID=kafka2-stall
bad() { echo "FAIL $1"; fail=1; }
# wait_for JQ_EXPR TIMEOUT_S: until the status of $ID satisfies it.
wait_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		e2e_status "$ID" 2>/dev/null | jq -e "$1" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

e2e_collector_start || exit 1
e2e_agent_start "$ID" kafka2 r1 kafka e2e-kafka-3.6.1 || exit 1
e2e_wait_acked "$ID" 2 30 || bad "the first reports were not acknowledged"
kill -STOP "$COLL_PID"
wait_for '.uplink.ack_timeouts == 1' 30 || bad "no ack timeout within 30 s"
S=$(e2e_status "$ID")
echo "after the ack timeout: $(echo "$S" | jq -c '{connection, last_error, uplink: (.uplink | {ack_timeouts, hello_timeouts}), warnings}')"
echo "$S" | jq -e '.last_error | test("^no ack within 20 s, [0-9]+ report\\(s\\) in flight from seq [0-9]+$")' > /dev/null ||
	bad "last_error names the missing ack"
n=$(grep -cE "^kagentd: collector 127.0.0.1:$LISTEN_PORT: backoff: no ack within 20 s, [0-9]+ report\(s\) in flight from seq [0-9]+$" "$T/$ID/log")
echo "agent log lines of the ack timeout: $n (want 1)"
[ "$n" = 1 ] || bad "ack timeout log line"
wait_for '.uplink.hello_timeouts >= 1' 30 || bad "no hello timeout within 30 s"
grep -qE "^kagentd: collector 127.0.0.1:$LISTEN_PORT: backoff: no hello-ack within 10 s$" "$T/$ID/log" ||
	bad "hello timeout log line"
e2e_status "$ID" | jq -e '.warnings | any(startswith("the collector stopped answering: 1 connection(s) closed without an ack, "))' > /dev/null ||
	bad "warning of the stalled collector"
TXT=$("$BIN/kagent" status --socket "$T/$ID/kagent.sock")
echo "$TXT" | grep -E "^(acks|WARNING)"
echo "$TXT" | grep -qE "^acks             [0-9]+ in flight, 1 ack timeout\(s\), [1-9][0-9]* hello timeout\(s\)$" ||
	bad "text status acks line"
ACKED=$(e2e_status "$ID" | jq .last_acked_seq)
kill -CONT "$COLL_PID"
e2e_wait_acked "$ID" $((ACKED + 2)) 60 || bad "reports did not flow again after SIGCONT"
echo "acked before SIGCONT $ACKED, now $(e2e_status "$ID" | jq .last_acked_seq)"
[ $fail -eq 0 ] || { echo "--- agent log"; cat "$T/$ID/log"; }
exit $fail
