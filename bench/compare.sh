#!/bin/bash
# kagentd's report cycle side by side with collectd and Prometheus
# node_exporter on this machine, one after the other, each for the same
# number of 1-second cycles:
#   kagentd      interval = 1, health_interval = 1, reporting over TLS (the
#                shipped default: certificates made with packaging/kagent-ca)
#                to a kcollectord on loopback (whose cost is not counted);
#   kagentd-before  the same with the binaries of BEFORE_BIN_DIR, when given
#                (an older build, to see what a change did in the same run);
#   collectd     the same probes as kagentd: cpu, memory, interface, disk,
#                df, sensors and smart plugins, Interval 1, sending with its
#                network plugin to a UDP listener on loopback (not counted);
#   collectd-csv cpu, memory, interface, disk, df, written by the csv plugin
#                into a temporary directory;
#   node_exporter  its default collectors, scraped once per cycle by curl
#                (curl's cost is not counted), when installed.
# Per daemon it prints CPU time per cycle and peak RSS, then the ratios
# kagent/peer; for kagentd also each of its two processes (the network
# side and the prober).  kagentd's cycles are counted as the reports the
# collector stored, so a cycle that did not report cannot pass as cheap.
#   CPU: sum_exec_runtime (ns, /proc/PID/task/TID/schedstat) over every
#        thread of every process of the daemon's tree, sampled after a
#        warm-up and at the end; the difference over the cycles counted in
#        between.  Clock ticks (utime+stime) are 10 ms wide, too coarse for
#        a millisecond per cycle.
#   RSS: VmHWM (/proc/PID/status) summed over the processes of the tree at
#        the end.  It counts shared library pages in each process, so it
#        overstates a tree of several processes (kagentd and its prober);
#        PSS at the end (/proc/PID/smaps_rollup, summed) is printed beside
#        it for that reason, and its anonymous part (Pss_Anon: heap,
#        stack, written data; no library text or page cache), which is the
#        memory the daemon itself costs the host.
# With SMAPS_DIR set, each kagentd process's /proc/PID/smaps is copied
# there at the end (bench/anon_by_mapping.sh sums it per mapping).
# usage: bench/compare.sh BUILD_BIN_DIR [CYCLES] [WARMUP_SECONDS] [BEFORE_BIN_DIR]
# Needs: collectd-core, curl, openssl, python3; prometheus-node-exporter is
# measured when installed.  Run as root so kagentd can drop to its prober
# split as in production.
set -eu
BIN=$(cd "$1" && pwd)
BEFORE=${4:+$(cd "$4" && pwd)}
KAGENT_CA=$(cd "$(dirname "$0")/../packaging" && pwd)/kagent-ca
CYCLES=${2:-60}
WARM=${3:-5}
PORT=${PORT:-17370}
T=$(mktemp -d)
# As root kagentd drops to user nobody, who must reach the spool.
chmod 755 "$T"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT

for tool in collectd curl openssl python3; do
	command -v "$tool" >/dev/null || { echo "compare: $tool not installed" >&2; exit 1; }
done

# Every process below (and including) $1.
tree() {
	local p=$1 c
	echo "$p"
	for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
		tree "$c"
	done
}
# CPU ns of the tree: first field of schedstat, every thread.
cpu_ns() {
	local p t s=0
	for p in $(tree "$1"); do
		for t in /proc/"$p"/task/*/schedstat; do
			s=$((s + $(cut -d' ' -f1 "$t" 2>/dev/null || echo 0)))
		done
	done
	echo $s
}
hwm_kb() {
	local p s=0
	for p in $(tree "$1"); do
		s=$((s + $(awk '/^VmHWM/{print $2}' /proc/"$p"/status)))
	done
	echo $s
}
# Proportional set size: shared pages split among the processes mapping
# them, so a two-process tree is not charged twice for libc.
# $2 is the smaps_rollup field, Pss by default.
pss_kb() {
	local p s=0
	for p in $(tree "$1"); do
		s=$((s + $(awk -v f="^${2:-Pss}:" '$0 ~ f {print $2}' /proc/"$p"/smaps_rollup)))
	done
	echo $s
}
nprocs() { tree "$1" | wc -l; }
# "VmHWM PSS Pss_Anon" of one process, KiB.
proc_mem() {
	echo "$(awk '/^VmHWM/{print $2}' /proc/"$1"/status)" \
	    "$(awk '/^Pss:/{print $2}' /proc/"$1"/smaps_rollup)" \
	    "$(awk '/^Pss_Anon:/{print $2}' /proc/"$1"/smaps_rollup)"
}
wait_for() {
	local i=0
	until eval "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "compare: timed out waiting for: $1" >&2; exit 1; }
		sleep 0.05
	done
}

# Results: name cycles cpu_ns hwm_kb nprocs
declare -A R_CYC R_NS R_KB R_NP R_PSS R_ANON
# kagentd's processes: "pid VmHWM PSS Pss_Anon" per line; reports made (seq).
declare -A K_PROCS K_MADE
DAEMONS=()

# One daemon: $1 name, $2 pid, $3 command that prints the cycle count so
# far; $4, optional, a command run with "start" when the measured cycles
# start and with "end" when they end, before the daemon stops.
measure() {
	local name=$1 pid=$2 count=$3 hook=${4:-} c0 n0 c1 n1
	sleep "$WARM"
	[ -z "$hook" ] || "$hook" start
	c0=$(eval "$count"); n0=$(cpu_ns "$pid")
	# Whole cycles only: wait until CYCLES more have been counted.
	local deadline=$((SECONDS + 3 * CYCLES + 30))
	while :; do
		c1=$(eval "$count")
		[ $((c1 - c0)) -lt "$CYCLES" ] || break
		[ "$SECONDS" -lt "$deadline" ] ||
			{ echo "compare: $name: $((c1 - c0)) of $CYCLES cycles counted in time" >&2; exit 1; }
		sleep 0.2
	done
	n1=$(cpu_ns "$pid")
	R_CYC[$name]=$((c1 - c0)); R_NS[$name]=$((n1 - n0))
	R_KB[$name]=$(hwm_kb "$pid"); R_PSS[$name]=$(pss_kb "$pid")
	R_ANON[$name]=$(pss_kb "$pid" Pss_Anon); R_NP[$name]=$(nprocs "$pid")
	[ -z "$hook" ] || "$hook" end
	kill "$pid"; wait "$pid" 2>/dev/null || true
	DAEMONS+=("$name")
}

# --- kagentd, reporting over TLS to a kcollectord on loopback ---
# A CA, the collector's certificate for the address agents dial, the
# agent's for its host id; the ACL lets the agent report into its cluster
# and this script read /metrics over plain HTTP from loopback.
"$KAGENT_CA" init "$T/ca" >/dev/null 2>&1
"$KAGENT_CA" issue --ip 127.0.0.1 "$T/ca" collector >/dev/null 2>&1
"$KAGENT_CA" issue "$T/ca" bench-compare >/dev/null 2>&1
# As root kagentd's network side runs as nobody and reads its key.
chmod 755 "$T/ca" "$T/ca/hosts"
chmod 644 "$T/ca/hosts/bench-compare.key"
printf 'report bench-compare bench\nread loopback\n' >"$T/acl"
HTTP=http://127.0.0.1:$((PORT + 1))
"$BIN/kcollectord" --listen 127.0.0.1:$PORT --http 127.0.0.1:$((PORT + 1)) \
	--db "$T/c.db" --tls-ca "$T/ca/ca.pem" \
	--tls-cert "$T/ca/hosts/collector.pem" --tls-key "$T/ca/hosts/collector.key" \
	--acl "$T/acl" --user nobody 2>"$T/kcollectord.log" &
PIDS+=($!)
wait_for "curl -sf $HTTP/metrics"
# One kagentd: $1 the name it is shown under, $2 its binaries.
run_kagentd() {
local name=$1 kbin=$2 KPID
rm -rf "$T/spool" "$T/s.sock"
mkdir "$T/spool"
cat >"$T/k.conf" <<EOF
[host]
roles = kafka,zookeeper
cluster = bench
[agent]
user = nobody
collector = 127.0.0.1:$PORT
interval = 1
health_interval = 1
spool = $T/spool
spool_max = 64MiB
socket = $T/s.sock
host_id = bench-compare
tls_ca = $T/ca/ca.pem
tls_cert = $T/ca/hosts/bench-compare.pem
tls_key = $T/ca/hosts/bench-compare.key
EOF
"$kbin/kagentd" --config "$T/k.conf" 2>"$T/$name.log" &
KPID=$!; PIDS+=($KPID)
kseq() {
	"$BIN/kagent" status --socket "$T/s.sock" --json |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["last_report_seq"] or 0)'
}
# kagentd's cycles are the reports kcollectord stored: counting them asks
# kagentd nothing (a status request every 0.2 s would be charged to its
# cycle), and a cycle that did not report is not counted.
stored() {
	curl -sf "$HTTP/metrics" | awk '/^kagent_collector_reports_total /{print $2}'
}
# Reports made over the measured cycles, and each process's memory.
kagent_hook() {
	local p
	case $1 in
	start) K_MADE[$name]=$(kseq) ;;
	end)
		K_MADE[$name]=$(($(kseq) - K_MADE[$name]))
		K_PROCS[$name]=""
		for p in $(tree "$KPID"); do
			K_PROCS[$name]="${K_PROCS[$name]}$p $(proc_mem "$p")
"
			[ -z "${SMAPS_DIR:-}" ] || cp /proc/"$p"/smaps "$SMAPS_DIR/$name.$p.smaps"
		done
		;;
	esac
}
wait_for kseq
measure "$name" $KPID stored kagent_hook
}
[ -z "$BEFORE" ] || run_kagentd kagentd-before "$BEFORE"
run_kagentd kagentd "$BIN"

# --- collectd: the same probes as kagentd, then csv only ---
# Its network plugin sends to a UDP listener here, as kagentd sends to
# its collector; the listener's cost is not counted.
CPORT=$((PORT + 3))
python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True: s.recv(65536)' "$CPORT" &
PIDS+=($!)
mkdir "$T/csv"
# One collectd: $1 name, $2 its plugin lines.
run_collectd() {
	local name=$1 CPID
	cat >"$T/$name.conf" <<EOF
Hostname "bench"
FQDNLookup false
BaseDir "$T"
PIDFile "$T/$name.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
Interval 1
$2
EOF
	collectd -f -C "$T/$name.conf" >"$T/$name.log" 2>&1 &
	CPID=$!; PIDS+=($CPID)
	START=$(date +%s.%N)
	measure "$name" $CPID ccount
}
# collectd reads every Interval on its own: cycles are elapsed seconds.
ccount() { awk -v s="$START" -v n="$(date +%s.%N)" 'BEGIN{printf "%d", n - s}'; }
run_collectd collectd "LoadPlugin cpu
LoadPlugin memory
LoadPlugin interface
LoadPlugin disk
LoadPlugin df
LoadPlugin sensors
LoadPlugin smart
LoadPlugin network
<Plugin network>
	Server \"127.0.0.1\" \"$CPORT\"
</Plugin>"
run_collectd collectd-csv "LoadPlugin cpu
LoadPlugin memory
LoadPlugin interface
LoadPlugin disk
LoadPlugin df
LoadPlugin csv
<Plugin csv>
	DataDir \"$T/csv\"
	StoreRates false
</Plugin>"

# --- node_exporter, scraped once a second, when installed ---
if command -v prometheus-node-exporter >/dev/null; then
NPORT=$((PORT + 2))
prometheus-node-exporter --web.listen-address=127.0.0.1:$NPORT \
	>"$T/node_exporter.log" 2>&1 &
NPID=$!; PIDS+=($NPID)
wait_for "curl -sf -o /dev/null http://127.0.0.1:$NPORT/metrics"
echo 0 >"$T/scrapes"
(
	n=0
	while :; do
		curl -sf -o /dev/null "http://127.0.0.1:$NPORT/metrics" || exit 1
		n=$((n + 1)); echo $n >"$T/scrapes"
		sleep 1
	done
) &
SCRAPER=$!; PIDS+=($SCRAPER)
measure node_exporter $NPID "cat $T/scrapes"
kill $SCRAPER 2>/dev/null || true
else
	echo "compare: prometheus-node-exporter not installed, not measured" >&2
fi

# --- results ---
echo "$(nproc) CPUs, $(uname -r); $CYCLES cycles each after ${WARM} s warm-up;" \
    "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %6s %6s %14s %14s %12s %14s\n' daemon procs cycles "CPU ms/cycle" \
    "peak RSS KiB" "PSS KiB" "anon PSS KiB"
for d in "${DAEMONS[@]}"; do
	printf '%-14s %6d %6d %14.3f %14d %12d %14d\n' "$d" "${R_NP[$d]}" "${R_CYC[$d]}" \
	    "$(awk -v n="${R_NS[$d]}" -v c="${R_CYC[$d]}" 'BEGIN{print n / c / 1e6}')" \
	    "${R_KB[$d]}" "${R_PSS[$d]}" "${R_ANON[$d]}"
done
for k in kagentd-before kagentd; do
	[ -n "${R_CYC[$k]:-}" ] || continue
	# The tree lists the network side first, then the prober it forked.
	echo "${K_PROCS[$k]}" | awk -v k="$k" 'NF == 4 {
		printf "  %s %-8s pid %-7d VmHWM %6d KiB  PSS %6d KiB  anon PSS %6d KiB\n",
		    k, (n == 0) ? "network" : (n == 1) ? "watchdog" : "prober", $1, $2, $3, $4; n++ }'
	echo "  $k cycles are reports stored by kcollectord: ${R_CYC[$k]};" \
	    "reports it made meanwhile: ${K_MADE[$k]}"
done
for peer in kagentd-before collectd collectd-csv node_exporter; do
	[ -n "${R_CYC[$peer]:-}" ] || continue
	awk -v kn="${R_NS[kagentd]}" -v kc="${R_CYC[kagentd]}" \
	    -v pn="${R_NS[$peer]}" -v pc="${R_CYC[$peer]}" \
	    -v kk="${R_KB[kagentd]}" -v pk="${R_KB[$peer]}" \
	    -v kp="${R_PSS[kagentd]}" -v pp="${R_PSS[$peer]}" -v peer="$peer" \
	    -v ka="${R_ANON[kagentd]}" -v pa="${R_ANON[$peer]}" \
	    'BEGIN{printf "kagentd/%-14s CPU %.2f  VmHWM %.2f  PSS %.2f  anon PSS %.2f\n", peer,
		(kn / kc) / (pn / pc), kk / pk, kp / pp, ka / pa}'
done
# Issue 16's goals: at most 1 ms CPU a cycle and at most half of collectd's
# with the same probes; anonymous PSS of the processes at most 1.5 MiB.
awk -v n="${R_NS[kagentd]}" -v c="${R_CYC[kagentd]}" -v a="${R_ANON[kagentd]}" \
    -v pn="${R_NS[collectd]}" -v pc="${R_CYC[collectd]}" \
    'BEGIN{k = n / c / 1e6; p = pn / pc / 1e6;
	printf "goal: CPU %.3f ms <= 1 ms %s; <= half of collectd'"'"'s %.3f ms %s; anon PSS %d KiB <= 1536 KiB %s\n",
	k, (k <= 1) ? "met" : "missed", p, (k <= p / 2) ? "met" : "missed",
	a, (a <= 1536) ? "met" : "missed"}'
