#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Replicas moved after a scale-out by `kagent fleet --reassign --from`
# against the full reshuffle `kafka-reassign-partitions --generate`
# proposes (Kafka's AdminUtils.assignReplicasToBrokers, rack-aware,
# followed step by step in bench/reassign_compare.py), for the 3 -> 4
# scale-out of tests/fixtures/reassign/scale-out.json and for 50 -> 51
# brokers (5 racks, 2 000 topics x 50 partitions, RF 3, the topics laid
# out by Kafka itself).  Prints both, the lower bound, and the ratio.
#   bench/reassign_compare.sh BUILD_BIN_DIR [SEEDS=20]
set -eu
bin=${1:-build/bin}
here=$(dirname "$0")
exec python3 "$here/reassign_compare.py" "$bin/kagent" \
	"$here/../tests/fixtures/reassign/scale-out.json" "${2:-20}"
