#!/bin/bash
# The soak of bench/soak.sh, short: 100 simulated agents for 30 s against a
# real kcollectord over mutual TLS (each agent its own certificate from a
# CA made here, an ACL letting them report), then every agent reconnects;
# zero loss asserted (every ack the seq just sent, stored seq == last acked
# seq per agent, stored == acked, no duplicate, no seq gap, no rejected
# connection), and that every connection was TLS 1.3 and the collector was
# not plaintext.
exec bash ../bench/soak.sh "$1" 100 30
