#!/bin/bash
# /metrics of a real kcollectord fed by real kagentd processes over TLS:
#   hw-broker   fixtures/host-broker (disks, a bond, 2 CPUs)
#   hw-2s48t    host-broker with the CPUs and memory of host-2s48t
#   hw-hostile  host-broker with Kafka 3.6.1, and hostile strings where
#               agents take them from: a rack with a quote, a backslash and
#               bytes that are not UTF-8 (kagent.conf), a kernel release
#               with a quote and invalid UTF-8 (proc), a board vendor and
#               product of 79 bytes with quotes and backslashes (DMI), a
#               keystore path with a newline, a quote and a backslash
#               (server.properties, through a check's instance).
# Then: `promtool check metrics` passes; exact values of chosen series;
# escapes as the text format wants them; no label named instance; HEAD
# answers headers without a body; the index page at /; a reader the ACL
# does not name gets 403; every kagent_ name used by the shipped rules
# and dashboard is a family /metrics emits.  Prints the series one host
# costs (README "Prometheus").
set -u
BIN=$1
. live/lib/e2e.sh
fail=0
bad() { echo "FAIL $1"; fail=1; }
echo "report hw-* hw" >> "$T/acl"

# hw-2s48t: host-broker's NICs and disks, host-2s48t's CPUs and memory.
R2=$T/root-2s48t
cp -a fixtures/host-broker "$R2"
cp fixtures/host-2s48t/proc/cpuinfo fixtures/host-2s48t/proc/meminfo "$R2/proc/"
cp -a fixtures/host-2s48t/sys/. "$R2/sys/"

# hw-hostile.
RH=$T/root-hostile
cp -a fixtures/host-broker "$RH"
cp -a fixtures/e2e-kafka-3.6.1/etc fixtures/e2e-kafka-3.6.1/opt "$RH/"
printf 'ssl.keystore.location=/etc/kafka/a\\nb"q\\\\z.jks\n' \
	>> "$RH/etc/kafka/server.properties"
mkdir -p "$RH/proc/sys/kernel" "$RH/sys/class/dmi/id"
printf '6.1.0-"evil\xff\xfe\n' > "$RH/proc/sys/kernel/osrelease"
VENDOR='Acme "Quoted" \Back\slash\ Industries'
while [ ${#VENDOR} -lt 79 ]; do VENDOR="${VENDOR}x"; done
printf '%s\n' "$VENDOR" > "$RH/sys/class/dmi/id/sys_vendor"
printf '%s\n' "$VENDOR" > "$RH/sys/class/dmi/id/product_name"

# agent_conf ID RACK ROOT: the configuration e2e_agent_start writes, with
# a root outside fixtures/ and any rack bytes; e2e_agent_start keeps it.
agent_conf() {
	mkdir -p "$T/$1"
	e2e_issue "$1" || exit 1
	{
		printf '[host]\nroles = kafka\ncluster = hw\nrack = %s\n' "$2"
		cat <<CONF
[agent]
collector = 127.0.0.1:$LISTEN_PORT
interval = 1
health_interval = 1
spool = $T/$1/spool
socket = $T/$1/kagent.sock
host_id = $1
root = $3
user = nobody
tls_ca = $CA/ca.pem
tls_cert = $CA/hosts/$1.pem
tls_key = $CA/hosts/$1.key
CONF
	} > "$T/$1/kagent.conf"
}
agent_conf hw-2s48t r2 "$R2"
agent_conf hw-hostile $'r"3\\x\xff\xfe' "$RH"
e2e_collector_start || exit 1
e2e_agent_start hw-broker hw r1 kafka host-broker
e2e_agent_start hw-2s48t
e2e_agent_start hw-hostile
for id in hw-broker hw-2s48t hw-hostile; do
	e2e_wait_acked "$id" 2 30 || { bad "$id: no report acknowledged"; tail -3 "$T/$id/log"; }
done

curl -sS -o "$T/metrics" -D "$T/metrics.head" "$COLL_URL/metrics" || bad "GET /metrics"
echo "\$ promtool check metrics < /metrics"
promtool check metrics < "$T/metrics" > "$T/promtool.out" 2>&1
rc=$?
cat "$T/promtool.out"
[ $rc -eq 0 ] && [ ! -s "$T/promtool.out" ] || bad "promtool check metrics: exit $rc"
grep -E 'host="hw-hostile"' "$T/metrics" | grep -E '^kagent_host_info|secret_files'

python3 - "$T/metrics" ../packaging/prometheus/kagent.rules.yml \
	../packaging/grafana/kagent-fleet.json <<'PY' || fail=1
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
series = {}
for line in text.splitlines():
    if line and not line.startswith("#"):
        k, v = line.rsplit(" ", 1)
        series[k] = v
families = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
ok = True

def want(what, cond):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok = ok and cond

def value(s):
    return series.get(s)

V = 'Acme \\"Quoted\\" \\\\Back\\\\slash\\\\ Industries'
V = V + "x" * (64 - len('Acme "Quoted" \\Back\\slash\\ Industries'))
want("hw-hostile info: rack and kernel repaired and escaped, board cut at 64 bytes",
     value('kagent_host_info{host="hw-hostile",cluster="hw",rack="r\\"3\\\\x??",'
           'zone="",roles="kafka",version="0.1.0",kernel="6.1.0-\\"evil??",'
           f'board_vendor="{V}",board_product="{V}"}}') == "1")
want("hw-hostile check instance with a newline, a quote and a backslash",
     value('kagent_host_check_severity{host="hw-hostile",'
           'check="kafka.security.secret_files",'
           'check_instance="/etc/kafka/a\\nb\\"q\\\\z.jks"}') == "2")
want("hw-broker info", value(
    'kagent_host_info{host="hw-broker",cluster="hw",rack="r1",zone="",'
    'roles="kafka",version="0.1.0",kernel="",board_vendor="",'
    'board_product=""}') == "1")
want("hw-broker sda size 4000787030016",
     value('kagent_disk_size_bytes{host="hw-broker",device="sda"}') == "4000787030016")
want("hw-broker sda rotational", value('kagent_disk_rotational{host="hw-broker",device="sda"}') == "1")
want("hw-broker sda info", value(
    'kagent_disk_info{host="hw-broker",device="sda",kind="physical",'
    'model="TOSHIBA KSDB4U86",vendor="ATA",serial="2160A0D5FVGG",'
    'transport="sata"}') == "1")
want("hw-broker sda SMART verdict unknown (a fixture root has no device)",
     value('kagent_disk_health{host="hw-broker",device="sda"}') == "2")
want("hw-broker sda temperature unknown: no series",
     value('kagent_disk_temperature_celsius{host="hw-broker",device="sda"}') is None)
want("hw-broker eno1 speed 10 Gbit/s = 1250000000 bytes/s",
     value('kagent_network_speed_bytes{host="hw-broker",device="eno1"}') == "1250000000")
want("hw-broker eno3 speed 1 Gbit/s", value('kagent_network_speed_bytes{host="hw-broker",device="eno3"}') == "125000000")
want("hw-broker eno1 max speed unknown: no series",
     value('kagent_network_max_speed_bytes{host="hw-broker",device="eno1"}') is None)
want("hw-broker eno3 mtu 1500", value('kagent_network_mtu_bytes{host="hw-broker",device="eno3"}') == "1500")
want("hw-broker eno1 carrier", value('kagent_network_carrier{host="hw-broker",device="eno1"}') == "1")
want("hw-broker memory 25276026880", value('kagent_memory_total_bytes{host="hw-broker"}') == "25276026880")
want("hw-broker 2 threads", value('kagent_cpu_threads{host="hw-broker"}') == "2")
want("hw-2s48t 48 threads", value('kagent_cpu_threads{host="hw-2s48t"}') == "48")
want("hw-2s48t 24 cores", value('kagent_cpu_cores{host="hw-2s48t"}') == "24")
want("hw-2s48t memory 230913860 kB", value('kagent_memory_total_bytes{host="hw-2s48t"}') == str(230913860 * 1024))
want("hw-2s48t rack r2", any(k.startswith('kagent_host_info{host="hw-2s48t",cluster="hw",rack="r2"') for k in series))
want("hw-broker not stale", value('kagent_host_stale{host="hw-broker"}') == "0")
want("cluster hw verdict present", value('kagent_cluster_verdict{cluster="hw"}') in ("0", "1", "2", "3", "4"))
want("kagent_build_info", value('kagent_build_info{version="0.1.0"}') == "1")
want("no series has a label named instance",
     not [k for k in series if re.search(r'[{,]instance="', k)])
want("every host series carries host", all(
    'host="' in k for k in series
    if k.startswith(("kagent_host_", "kagent_disk_", "kagent_network_",
                     "kagent_memory_", "kagent_cpu_", "kagent_sensor_"))))
per_host = [k for k in series if 'host="hw-broker"' in k]
print(f"series of hw-broker: {len(per_host)}")
fams = {}
for k in per_host:
    n = k.split("{")[0]
    fams[n] = fams.get(n, 0) + 1
print("  " + ", ".join(f"{n} {c}" for n, c in sorted(fams.items())))
want("hw-broker costs 77 series", len(per_host) == 77)

# Every kagent_ name the rules and the dashboard use is a family here.
used = set()
for path in sys.argv[2:]:
    used |= {(m, path) for m in re.findall(r"\bkagent_[a-z_]+\b", open(path).read())}
missing = sorted(f"{m} ({p.split('/')[-1]})" for m, p in used if m not in families)
want(f"rules and dashboard use {len({m for m, _ in used})} names, all emitted"
     + (": missing " + ", ".join(missing) if missing else ""), not missing)
sys.exit(0 if ok else 1)
PY

# HEAD: the headers GET has, no body.
python3 - "$HTTP_PORT" <<'PY' || fail=1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
lines = head.decode().split("\r\n")
length = [int(l.split(":")[1]) for l in lines if l.lower().startswith("content-length:")]
print("HEAD /metrics:", lines[0], "Content-Length", length, "body bytes", len(body))
ok = lines[0] == "HTTP/1.1 200 OK" and length and length[0] > 1000 and body == b""
print(("ok   " if ok else "FAIL ") + "HEAD /metrics: 200, a Content-Length, no body")
sys.exit(0 if ok else 1)
PY

OUT=$(curl -sS -D "$T/index.head" "$COLL_URL/")
grep -qi '^Content-Type: text/html; charset=utf-8' "$T/index.head" || bad "GET /: not text/html"
echo "$OUT" | grep -qF '<a href="/metrics">/metrics</a>' || bad "GET /: no link to /metrics"
echo "$OUT" | grep -qF '<a href="/api/fleet">/api/fleet</a>' || bad "GET /: no link to /api/fleet"
echo "ok   GET / links /metrics and /api/fleet"
# The JSON view carries the same kernel release.
K=$(curl -sS "$COLL_URL/api/hosts/hw-hostile" | jq -r .kernel)
[ "$K" = '6.1.0-"evil??' ] && echo "ok   /api/hosts/hw-hostile kernel $K" ||
	bad "/api/hosts/hw-hostile kernel '$K'"

# The same read ACL as /api: a certificate of the CA the ACL does not name.
e2e_issue stranger || exit 1
for p in / /metrics; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA/ca.pem" \
		--cert "$CA/hosts/stranger.pem" --key "$CA/hosts/stranger.key" \
		"https://127.0.0.1:$HTTP_PORT$p")
	echo "stranger GET $p: $code (want 403)"
	[ "$code" = 403 ] || bad "stranger GET $p"
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA/ca.pem" \
		--cert "$CA/hosts/fleet-reader.pem" --key "$CA/hosts/fleet-reader.key" \
		"https://127.0.0.1:$HTTP_PORT$p")
	echo "fleet-reader GET $p: $code (want 200)"
	[ "$code" = 200 ] || bad "fleet-reader GET $p"
done
[ $fail -eq 0 ] && echo PASS
exit $fail
