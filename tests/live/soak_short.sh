#!/bin/bash
# The soak of bench/soak.sh, short: 100 simulated agents for 30 s against a
# real kcollectord, then every agent reconnects; zero loss asserted (every
# ack the seq just sent, stored seq == last acked seq per agent, stored ==
# acked, no duplicate, no seq gap, no rejected connection).
exec bash ../bench/soak.sh "$1" 100 30
