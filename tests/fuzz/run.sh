#!/bin/bash
# Builds the libFuzzer harnesses (clang, -DKAGENT_FUZZ=ON, in build-fuzz/)
# and runs one or all for SECONDS each.  Prints, per harness, the
# executions libFuzzer counted (stat::number_of_executed_units of
# -print_final_stats=1) and any crash, whose input libFuzzer writes under
# build-fuzz/artifacts/HARNESS/: reproduce it with
# build-fuzz/fuzz/fuzz_HARNESS FILE, then keep it in
# tests/fuzz/regressions/HARNESS/ once fixed.  Exits 1 when a harness
# crashed or did not run.
#
#   tests/fuzz/run.sh HARNESS|all SECONDS
# Environment: FUZZ_BUILD (build-fuzz), FUZZ_JOBS (nproc), FUZZ_ARGS
# (more libFuzzer options, e.g. -runs=N), NANOPB_SRC (a nanopb 0.4.7
# source tree: fuzz_frame then sees coverage inside pb_decode).
set -euo pipefail

usage() {
	echo "usage: $0 HARNESS|all SECONDS" >&2
	exit 2
}
[ $# -eq 2 ] || usage
want=$1
secs=$2
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] || usage

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$src/build-fuzz}
case $build in /*) ;; *) build=$src/$build ;; esac
all=$(sed -n '/^set(FUZZ_HARNESSES/,/)/p' "$src/tests/fuzz/CMakeLists.txt" |
	tr -d '()' | sed 's/set//; s/FUZZ_HARNESSES//' | xargs)
if [ "$want" = all ]; then
	harnesses=$all
elif [[ " $all " == *" $want "* ]]; then
	harnesses=$want
else
	echo "unknown harness '$want'; one of: $all" >&2
	exit 2
fi

# -Wno-format-truncation is a gcc warning clang does not know.
conf_log=$(mktemp)
trap 'rm -f "$conf_log"' EXIT
if ! CC=clang cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DKAGENT_FUZZ=ON -DCMAKE_C_FLAGS=-Wno-unknown-warning-option \
	-DKAGENT_FUZZ_NANOPB_SRC="${NANOPB_SRC:-}" >"$conf_log" 2>&1; then
	cat "$conf_log" >&2
	exit 1
fi
grep -o 'fuzz_frame: .*' "$conf_log" || true
targets=$(for h in $harnesses; do printf 'fuzz_%s ' "$h"; done)
# shellcheck disable=SC2086
cmake --build "$build" -j"${FUZZ_JOBS:-$(nproc)}" --target $targets >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
summary=""
for h in $harnesses; do
	corpus=$build/corpus/$h
	art=$build/artifacts/$h
	log=$build/logs/$h.log
	mkdir -p "$corpus" "$art" "$(dirname "$log")"
	dirs=("$corpus" "$src/tests/fuzz/seeds/$h")
	[ -d "$src/tests/fuzz/regressions/$h" ] &&
		dirs+=("$src/tests/fuzz/regressions/$h")
	# libatasmart compiles its quirk table's regular expressions on every
	# blob: ASan's quarantine and allocation stacks make that ~1 s per
	# input.  Without them a blob takes ~0.1 s.
	asan=$ASAN_OPTIONS
	[ "$h" = ata_blob ] && asan=$asan:quarantine_size_mb=0:malloc_context_size=0
	echo "== fuzz_$h for ${secs}s (log $log)"
	start=$(date +%s)
	rc=0
	# New inputs go to the first directory, never to the seeds.
	# shellcheck disable=SC2086
	ASAN_OPTIONS=$asan "$build/fuzz/fuzz_$h" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -artifact_prefix="$art/" ${FUZZ_ARGS:-} \
		"${dirs[@]}" >"$log" 2>&1 || rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crash=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
	if [ "$rc" -ne 0 ] || [ -n "$crash" ] || [ -z "$execs" ]; then
		failed=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant broken|.*runtime error)' \
			"$log" | head -5 || true
		line="fuzz_$h: FAILED (exit $rc) after ${execs:-?} executions in ${took}s; input: ${crash:-none}"
	else
		line="fuzz_$h: ${execs} executions in ${took}s ($((execs / (took > 0 ? took : 1)))/s), no crash; corpus $(find "$corpus" -type f | wc -l) inputs"
	fi
	echo "$line"
	summary+="$line"$'\n'
done
echo "== summary"
printf '%s' "$summary"
exit $failed
