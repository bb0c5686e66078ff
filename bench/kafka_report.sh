#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Kafka part of kagentd's report and the collector's Kafka view for
# the design's shape (issue 15): 50 brokers, 2 000 topics x 50 partitions
# (100 000), RF 3, 5 racks, synthesised as a struct kafka_meta and run
# through kagentd's kafka_report_fill and kcollectord's decoding and
# kafka_view_build (bench/kafka_report_size.c).  Then the same with twice
# the partitions per topic, so that the growth per partition shows as a
# ratio.  Figures only: nothing is asserted.
#   bench/kafka_report.sh BUILD_BIN_DIR [ROOT=tests/fixtures/host-broker]
set -eu
bin=${1:-build/bin}
root=${2:-tests/fixtures/host-broker}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$bin/kafka_report_size" --root "$root" | tee "$t/a"
echo "--- the same cluster with 100 partitions a topic (200 000)"
"$bin/kafka_report_size" --root "$root" --partitions 100 | tee "$t/b"
awk '
	/^report of one broker/ { k[FILENAME] = $7 }
	/^collector, shares and view together/ { m[FILENAME] = $6 }
	END {
		a = ARGV[1]; b = ARGV[2]
		printf "ratio 200 000 / 100 000 partitions: Kafka part of one report %.2f, collector memory %.2f\n",
			k[b] / k[a], m[b] / m[a]
	}' "$t/a" "$t/b"
