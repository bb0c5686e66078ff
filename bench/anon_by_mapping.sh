#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Where a process's anonymous memory is: per mapping of a smaps file, the
# dirty pages it holds alone (Private_Dirty) and those it shares with a
# forked sibling (Shared_Dirty), and its proportional share (Pss_Dirty,
# as smaps_rollup's Pss_Anon counts it for anonymous and written pages).
# usage: bench/anon_by_mapping.sh SMAPS_FILE...
set -eu
for f in "$@"; do
	echo "== $f"
	awk '/^[0-9a-f]+-[0-9a-f]+ /{n = ($6 == "" ? "[anon]" : $6)}
	     /^Private_Dirty:/{pd[n] += $2}
	     /^Shared_Dirty:/{sd[n] += $2}
	     /^Pss_Dirty:/{ps[n] += $2; t += $2}
	     END {
		for (k in pd) if (pd[k] + sd[k] > 0)
			printf "%6d %6d %6d  %s\n", ps[k], pd[k], sd[k], k
		printf "%6d %6s %6s  %s\n", t, "", "", "total Pss_Dirty"
	     }' "$f" | sort -k1,1nr | sed '1i\   pss   priv shared  mapping (KiB)'
done
