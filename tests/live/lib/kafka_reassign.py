#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks a reassignment plan two ways, independently of kagent's code.

format FILE...: each file as kafka-reassign-partitions --execute reads it
(its documented reassignment JSON, as the tool's parser checks it): an
object with "version": 1 and a non-empty "partitions" array; each entry
has a "topic" string (Kafka's topic alphabet), a non-negative integer
"partition", a "replicas" array of distinct non-negative integers and, if
present, "log_dirs", as many strings as replicas, each "any" or an
absolute path; no partition twice.

apply CLUSTER.json DIR: applies every NN-TOPIC.json of DIR to the
cluster's assignment and checks Kafka's rules: every broker exists,
replication factors unchanged, each rollback file holds the current
assignment of the same partitions, one topic per step, steps ordered by
topic size (unknown last); after all steps, per topic, every registered
broker not drained (--drain ID) within one replica and one preferred
leader of the mean, no two replicas in one rack when there are at least
as many racks as the replication factor, and the replicas moved equal to
the minimum: max(replicas above the ceiling or on a drained broker,
slots below the floor).  Prints "moves N minimum M" per topic."""
import json
import os
import re
import sys

TOPIC = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_format(path):
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or doc.get("version") != 1:
        fail(f"{path}: version is not 1")
    parts = doc.get("partitions")
    if not isinstance(parts, list) or not parts:
        fail(f"{path}: partitions is not a non-empty array")
    seen = set()
    for i, p in enumerate(parts):
        where = f"{path}: partitions[{i}]"
        if not isinstance(p, dict):
            fail(f"{where}: not an object")
        extra = set(p) - {"topic", "partition", "replicas", "log_dirs"}
        if extra:
            fail(f"{where}: unknown fields {sorted(extra)}")
        t, n, r = p.get("topic"), p.get("partition"), p.get("replicas")
        if not isinstance(t, str) or not TOPIC.match(t) or t in (".", ".."):
            fail(f"{where}: topic {t!r}")
        if not is_int(n) or n < 0:
            fail(f"{where}: partition {n!r}")
        if not isinstance(r, list) or not r or \
                not all(is_int(x) and x >= 0 for x in r):
            fail(f"{where}: replicas {r!r}")
        if len(set(r)) != len(r):
            fail(f"{where}: duplicate replicas {r}")
        if "log_dirs" in p:
            d = p["log_dirs"]
            if not isinstance(d, list) or len(d) != len(r) or not all(
                    isinstance(x, str) and (x == "any" or x.startswith("/"))
                    for x in d):
                fail(f"{where}: log_dirs {d!r}")
        if (t, n) in seen:
            fail(f"{where}: partition {t}-{n} twice")
        seen.add((t, n))
    return doc


def minimum(counts, eligible, drain):
    total = sum(counts.values())
    q = total // len(eligible)
    give = take = 0
    for b, c in counts.items():
        if b == drain or b not in eligible:
            give += c
        elif c > q + 1:
            give += c - q - 1
        elif c < q:
            take += q - c
    return max(give, take)


def apply(cluster_path, plan_dir, drain):
    with open(cluster_path) as f:
        c = json.load(f)
    brokers = {b["id"]: b for b in c["brokers"]}
    eligible = sorted(b for b, v in brokers.items()
                      if v["registered"] and b != drain)
    racks = {b: brokers[b]["rack"] for b in eligible}
    n_racks = len(set(racks.values())) if None not in racks.values() else 0
    topics = {t["name"]: t for t in c["topics"]}
    asg = {t["name"]: {p["partition"]: list(p["replicas"])
                       for p in t["assignment"]} for t in c["topics"]}
    before = {n: {p: list(r) for p, r in a.items()} for n, a in asg.items()}
    steps = sorted(f for f in os.listdir(plan_dir)
                   if re.match(r"^\d{2,}-.*(?<!\.rollback)\.json$", f))
    sizes = []
    for s in steps:
        doc = check_format(os.path.join(plan_dir, s))
        rb = check_format(os.path.join(plan_dir, s[:-5] + ".rollback.json"))
        names = {p["topic"] for p in doc["partitions"]}
        if len(names) != 1:
            fail(f"{s}: {len(names)} topics in one step")
        name = names.pop()
        if not s.endswith("-" + name + ".json"):
            fail(f"{s}: holds topic {name}")
        b = topics[name]["bytes"]
        sizes.append((b is None, b or 0))
        want_rb = [(p["topic"], p["partition"], p["replicas"])
                   for p in rb["partitions"]]
        got_rb = [(name, p["partition"], before[name][p["partition"]])
                  for p in doc["partitions"]]
        if want_rb != got_rb:
            fail(f"{s}: rollback is not the current assignment")
        for p in doc["partitions"]:
            old = asg[name][p["partition"]]
            if len(p["replicas"]) != len(old):
                fail(f"{s}: {name}-{p['partition']}: replication factor "
                     f"{len(old)} -> {len(p['replicas'])}")
            for x in p["replicas"]:
                if x not in brokers:
                    fail(f"{s}: broker {x} does not exist")
            asg[name][p["partition"]] = p["replicas"]
    if sizes != sorted(sizes):
        fail(f"steps not ordered smallest first: {sizes}")
    for name, a in asg.items():
        rf = topics[name]["replication_factor"]
        cnt = {b: 0 for b in brokers}
        lead = {b: 0 for b in brokers}
        moved = 0
        for p, r in a.items():
            cnt.update({x: cnt[x] + 1 for x in r})
            lead[r[0]] += 1
            moved += len(set(r) - set(before[name][p]))
            if n_racks >= rf and len({racks.get(x) for x in r}) != len(r):
                fail(f"{name}-{p}: two replicas in one rack: {r}")
        total = sum(cnt.values())
        lo, hi = total // len(eligible), -(-total // len(eligible))
        llo, lhi = len(a) // len(eligible), -(-len(a) // len(eligible))
        for b in brokers:
            if b not in eligible and cnt[b]:
                fail(f"{name}: broker {b} keeps {cnt[b]} replicas")
            if b in eligible and not lo <= cnt[b] <= hi:
                fail(f"{name}: broker {b} holds {cnt[b]}, not {lo}..{hi}")
            if b in eligible and not llo <= lead[b] <= lhi:
                fail(f"{name}: broker {b} leads {lead[b]}, not {llo}..{lhi}")
        orig = {b: 0 for b in brokers}
        for r in before[name].values():
            orig.update({x: orig[x] + 1 for x in r})
        m = minimum(orig, eligible, drain)
        print(f"{name}: moves {moved} minimum {m}")
        if moved != m:
            fail(f"{name}: {moved} replicas moved, the minimum is {m}")


if __name__ == "__main__":
    if sys.argv[1] == "format":
        for p in sys.argv[2:]:
            check_format(p)
        print("format ok")
    else:
        apply(sys.argv[2], sys.argv[3],
              int(sys.argv[4]) if len(sys.argv) > 4 else None)
