#!/bin/bash
# Cruise Control's capacity file from real agents: a real kcollectord and
# five kagentd processes over TLS, on host-broker's machine with the
# broker configurations of fixtures/capacity (capacity.gen.sh says what
# each is).  Each agent runs in a mount namespace of its own where its log
# dirs are tmpfs mounts of known sizes (64 MiB, and 128 MiB for kcap-2's
# second one), so the filesystem sizes are exact on any machine.
#   GET /api/clusters/kcap/capacity  four entries and kcap-4 missing
#   kagent fleet --capacity kcap     exit 1, nothing on stdout, kcap-4 on
#                                    stderr; with --partial, the file
# Every entry is then checked against Cruise Control's documented fields
# (BrokerCapacityConfigFileResolver): a non-negative broker id as a
# string, DISK in MB or per absolute log dir, CPU as num.cores in every
# entry, NW_IN and NW_OUT numeric strings.  Needs root (mount).
set -u
BIN=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: tmpfs mounts need root"
	exit 0
fi
. live/lib/e2e.sh
E2E_HOSTS=()
e2e_collector_start || exit 1

# mountns KAGENTD --config DIR/kagent.conf: kagentd in a private mount
# namespace with DIR/mounts ("SIZE PATH" lines) mounted as tmpfs.
cat > "$T/mountns" <<'SH'
#!/bin/bash
d=$(dirname "${@: -1}")
exec unshare -m --propagation private bash -c '
while read -r size path; do
	mount -t tmpfs -o "size=$size" tmpfs "$path" || exit 1
done < "$0"
exec "$@"' "$d/mounts" "$@"
SH
chmod 755 "$T/mountns"
E2E_AGENT_WRAP=$T/mountns

# sysroot HOST LOGDIR...: host-broker's proc and sys, Kafka 3.6.1's
# libs, fixtures/capacity/HOST.properties and empty log dirs.
sysroot() {
	local h=$1 r=$T/root-$1 l
	mkdir -p "$r/etc/kafka" "$T/$h"
	ln -s "$PWD/fixtures/host-broker/proc" "$r/proc"
	ln -s "$PWD/fixtures/host-broker/sys" "$r/sys"
	ln -s "$PWD/fixtures/e2e-kafka-3.6.1/opt" "$r/opt"
	cp "fixtures/capacity/$h.properties" "$r/etc/kafka/server.properties"
	: > "$T/$h/mounts"
	shift
	for l in "$@"; do
		mkdir -p "$r${l#* }"
		echo "${l% *} $r${l#* }" >> "$T/$h/mounts"
	done
}
sysroot kcap-1 "64m /var/lib/kafka/data"
sysroot kcap-2 "64m /data/1/kafka" "128m /data/2/kafka"
sysroot kcap-3 "64m /var/lib/kafka/data"
sysroot kcap-4 "64m /var/lib/kafka/data"
sysroot kcap-5 "64m /var/lib/kafka/data"
fail=0
for h in kcap-1 kcap-2 kcap-3 kcap-4 kcap-5; do
	e2e_agent_start "$h" kcap r1 kafka "$T/root-$h" || fail=1
	E2E_HOSTS+=("$h")
done
for h in "${E2E_HOSTS[@]}"; do
	e2e_wait_acked "$h" 1 30 || { echo "FAIL $h: no report acknowledged"; fail=1; }
done

# The entries, as Cruise Control's units make them: 64 MiB = 64 MB of
# 2^20 bytes; 20000 Mb/s = 2441406 KB/s of 1024 bytes, 1000 Mb/s =
# 122070; host-broker has 2 CPUs online.
ENTRIES='[
  {
    "brokerId": "1",
    "capacity": {
      "DISK": "64",
      "CPU": {
        "num.cores": "2"
      },
      "NW_IN": "2441406",
      "NW_OUT": "2441406"
    },
    "doc": "kagent: host kcap-1, 2 logical CPUs online, bond0 at 20000 Mb/s, 1 log dir (filesystem size)"
  },
  {
    "brokerId": "2",
    "capacity": {
      "DISK": {
        "/data/1/kafka": "64",
        "/data/2/kafka": "128"
      },
      "CPU": {
        "num.cores": "2"
      },
      "NW_IN": "122070",
      "NW_OUT": "122070"
    },
    "doc": "kagent: host kcap-2, 2 logical CPUs online, eno3 at 1000 Mb/s, 2 log dirs (filesystem size)"
  },
  {
    "brokerId": "3",
    "capacity": {
      "DISK": "64",
      "CPU": {
        "num.cores": "2"
      },
      "NW_IN": "2441406",
      "NW_OUT": "2441406"
    },
    "doc": "kagent: host kcap-3, 2 logical CPUs online, bond0 at 20000 Mb/s, 1 log dir (filesystem size)"
  },
  {
    "brokerId": "5",
    "capacity": {
      "DISK": "64",
      "CPU": {
        "num.cores": "2"
      },
      "NW_IN": "2441406",
      "NW_OUT": "2441406"
    },
    "doc": "kagent: host kcap-5, 2 logical CPUs online, bond0 at 20000 Mb/s, 1 log dir (filesystem size)"
  }
]'
FILE=$(printf '{\n  "brokerCapacities": %s\n}' "$(sed 's/^/  /; 1s/^  //' <<< "$ENTRIES")")
WHY="interface carrying Kafka traffic unknown: no interface holds 10.9.9.9"

# expect NAME WANT GOT
expect() {
	if [ "$2" == "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1"
		diff <(echo "$2") <(echo "$3")
		fail=1
	fi
}

API=$(curl -s "$COLL_URL/api/clusters/kcap/capacity")
expect "GET /api/clusters/kcap/capacity: four entries, kcap-4 missing" \
	"$(jq -S -n --argjson e "$ENTRIES" --arg w "$WHY" \
		'{brokerCapacities: $e, missing: [{host_id: "kcap-4", broker_id: 4, why: $w}]}')" \
	"$(jq -S . <<< "$API")"
expect "GET /api/clusters/nosuch/capacity: 404" 404 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$COLL_URL/api/clusters/nosuch/capacity")"
expect "GET /api/clusters/a%20b/capacity: 400" 400 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$COLL_URL/api/clusters/a%20b/capacity")"

OUT=$(e2e_fleet --capacity kcap 2> "$T/err")
rc=$?
expect "kagent fleet --capacity kcap: exit 1" 1 "$rc"
expect "kagent fleet --capacity kcap: nothing on stdout" "" "$OUT"
expect "kagent fleet --capacity kcap: kcap-4 named on stderr" \
	"kagent fleet: capacity of host kcap-4 (broker id 4) unknown: $WHY
kagent fleet: 1 broker missing: no file written (--partial writes the others)" \
	"$(cat "$T/err")"

OUT=$(e2e_fleet --capacity kcap --partial 2> "$T/err")
rc=$?
expect "kagent fleet --capacity kcap --partial: exit 0" 0 "$rc"
expect "kagent fleet --capacity kcap --partial: the file" "$FILE" "$OUT"
echo "\$ kagent fleet --collector https://127.0.0.1:$HTTP_PORT ... --capacity kcap --partial"
echo "$OUT"

# Cruise Control's documented fields, checked on what was printed.
python3 - "$OUT" <<'PY' || fail=1
import json, os, sys
d = json.loads(sys.argv[1])
want = [("only brokerCapacities at the top", list(d) == ["brokerCapacities"])]
cores_form = set()
def num(s):
    try:
        return isinstance(s, str) and float(s) >= 0 and s.strip() == s
    except ValueError:
        return False
for e in d["brokerCapacities"]:
    b = e.get("brokerId")
    c = e.get("capacity", {})
    want.append((f"broker {b}: brokerId a string of an integer >= 0",
                 isinstance(b, str) and b.isdigit() and int(b) >= 0))
    disk = c.get("DISK")
    if isinstance(disk, dict):
        want.append((f"broker {b}: JBOD DISK, absolute log dirs, MB strings",
                     len(disk) > 0 and all(os.path.isabs(k) and num(v)
                                           for k, v in disk.items())))
    else:
        want.append((f"broker {b}: DISK an MB string", num(disk)))
    cpu = c.get("CPU")
    cores_form.add(isinstance(cpu, dict))
    want.append((f"broker {b}: CPU num.cores a string of cores >= 1",
                 isinstance(cpu, dict) and list(cpu) == ["num.cores"]
                 and cpu["num.cores"].isdigit() and int(cpu["num.cores"]) >= 1))
    want.append((f"broker {b}: NW_IN and NW_OUT KB/s strings",
                 num(c.get("NW_IN")) and num(c.get("NW_OUT"))))
    want.append((f"broker {b}: only DISK, CPU, NW_IN, NW_OUT",
                 sorted(c) == ["CPU", "DISK", "NW_IN", "NW_OUT"]))
want.append(("num.cores in every entry or none", len(cores_form) == 1))
want.append(("no -1 default entry", all(e["brokerId"] != "-1" for e in d["brokerCapacities"])))
ids = [e["brokerId"] for e in d["brokerCapacities"]]
want.append(("broker ids distinct", len(ids) == len(set(ids))))
for name, ok in want:
    print(("ok   " if ok else "FAIL ") + name)
sys.exit(0 if all(ok for _, ok in want) else 1)
PY
if [ $fail -ne 0 ]; then
	echo "$API"
	for h in "${E2E_HOSTS[@]}"; do
		echo "== $h"; cat "$T/$h/log"
	done
	cat "$T/collector.log"
fi
exit $fail
