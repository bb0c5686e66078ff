#!/bin/bash
# kagentd started as root on this host's live root: its prober only reads
# (raw SMART bytes, files opened for the network side), the network side
# parses and builds the report, and that report says what `kagent
# inventory --json` run as root says: the same disks (name, model, serial,
# size), the same DMI serial, the same SMART values (temperature,
# power-on hours, bad sectors, power cycles).  The report is decoded from
# the spool with protoc and proto/kagent.proto.  A normal run refuses
# nothing: the prober logs no refusal.  The user is created for the test
# and removed.
set -u
BIN=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL this test starts kagentd as root and creates a user: run it as root"
	exit 1
fi
command -v protoc > /dev/null || { echo "FAIL protoc is needed (protobuf-compiler)"; exit 1; }
U=kagent-rd-$$
T=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	userdel "$U" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin --user-group "$U" || { echo "FAIL useradd $U"; exit 1; }
chmod 755 "$T"
mkdir "$T/spool"
cat > "$T/kagent.conf" <<CONF
[host]
roles = kafka,zookeeper
cluster = test
[agent]
collector = 127.0.0.1:1
insecure = yes
interval = 1
health_interval = 1
spool = $T/spool
socket = $T/kagent.sock
host_id = test-1
root = /
user = $U
CONF
"$BIN/kagentd" --config "$T/kagent.conf" 2> "$T/log" &
PID=$!
for _ in $(seq 100); do
	[ "$(find "$T/spool" -name '*.frame' | wc -l)" -ge 2 ] && break
	sleep 0.1
done
kill -TERM $PID
wait $PID
rc=$?
PID=
fail=0
[ $rc -eq 0 ] || { echo "FAIL kagentd exit status $rc"; fail=1; }
FRAME=$(find "$T/spool" -name '*.frame' | sort | tail -1)
[ -n "$FRAME" ] || { echo "FAIL no report spooled"; cat "$T/log"; exit 1; }
# The spool file's 8-byte header, the frame's 4-byte length, the Envelope.
tail -c +13 "$FRAME" | protoc --decode=kagent.v1.Envelope -I ../proto \
	../proto/kagent.proto > "$T/report.txt" || { echo "FAIL protoc"; exit 1; }
"$BIN/kagent" inventory --json > "$T/inv.json" || { echo "FAIL kagent inventory"; exit 1; }
python3 - "$T/report.txt" "$T/inv.json" <<'PY' || fail=1
import codecs, json, re, sys

def parse(lines):
    """protoc's text format into nested dicts; repeated fields as lists."""
    out = {}
    while lines:
        line = lines.pop(0).strip()
        if line == "}":
            break
        if line.endswith("{"):
            v = parse(lines)
            k = line[:-1].strip()
        else:
            k, v = line.split(":", 1)
            v = v.strip()
            if v.startswith('"'):  # C escapes, octal for non-ASCII bytes
                v = codecs.escape_decode(v[1:-1])[0].decode("utf-8")
            elif re.fullmatch(r"-?\d+", v):
                v = int(v)
        out.setdefault(k, []).append(v)
    return out

rep = parse(open(sys.argv[1]).read().splitlines())["report"][0]
inv = json.load(open(sys.argv[2]))
one = lambda d, k, dflt=None: d.get(k, [dflt])[0]
fail = 0

def want(what, got, exp):
    global fail
    ok = got == exp
    print(("ok  " if ok else "FAIL"), f"{what}: report {got!r}, inventory {exp!r}")
    fail |= not ok

want("DMI serial", one(rep, "dmi_serial", "") or None, inv["board"]["serial"])
rdisks = {one(d, "name"): d for d in one(rep, "inventory", {}).get("disks", [])}
idisks = {d["name"]: d for d in inv["disks"]}
want("disks", sorted(rdisks), sorted(idisks))
for name in sorted(set(rdisks) & set(idisks)):
    r, i = rdisks[name], idisks[name]
    for k in ("model", "serial"):
        want(f"{name} {k}", one(r, k, "") or None, i[k])
    want(f"{name} size_bytes", one(r, "size_bytes"), i["size_bytes"])
    h = one(r, "health", {})
    smart = (i.get("smart") or {})
    ih = i.get("health") or {}
    for k in ("temperature_c", "power_on_hours", "bad_sectors", "power_cycles"):
        exp = smart.get(k, ih.get(k))
        want(f"{name} {k}", one(h, k), exp)
sys.exit(fail)
PY
refusals=$(grep -c '^kagentd prober: request' "$T/log")
echo "prober refusals in the log: $refusals (want 0)"
[ "$refusals" -eq 0 ] || fail=1
[ $fail -eq 0 ] || { echo "--- kagentd log"; cat "$T/log"; }
exit $fail
