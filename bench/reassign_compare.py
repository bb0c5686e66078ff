# SPDX-License-Identifier: Apache-2.0
"""Replicas moved after a scale-out: kagent's planner against the full
reshuffle of `kafka-reassign-partitions --generate`.

--generate (ReassignPartitionsCommand.calculateAssignment) asks, for each
topic, AdminUtils.assignReplicasToBrokers(brokers, partitions, RF) for a
fresh assignment over every broker of --broker-list: the first replica
round-robin from a random start, the others at a shift that grows by one
each time the partition id wraps around the broker list (also random at
the start); with racks on every broker, over the rack-alternated broker
list, skipping a broker whose rack (or itself) already holds a replica
while some rack (or broker) holds none.  generate() follows that code
step by step; Java's Random is replaced by a seeded random.Random, so the
figure is the mean over SEEDS draws.

Usage: python3 reassign_compare.py KAGENT_BIN FIXTURE [SEEDS]
"""
import json
import os
import random
import subprocess
import sys
import tempfile


def replica_index(first, second_shift, replica, n):
    shift = 1 + (second_shift + replica) % (n - 1)
    return (first + shift) % n


def rack_alternated(rack_of):
    by_rack = {}
    for b, r in rack_of.items():
        by_rack.setdefault(r, []).append(b)
    racks = sorted(by_rack)
    its = {r: iter(sorted(by_rack[r])) for r in racks}
    out, i = [], 0
    while len(out) < len(rack_of):
        b = next(its[racks[i]], None)
        if b is not None:
            out.append(b)
        i = (i + 1) % len(racks)
    return out


def generate(brokers, n_parts, rf, rng):
    """brokers: [(id, rack or None)] in --broker-list order."""
    if all(r is None for _, r in brokers):
        ids = [b for b, _ in brokers]
        n = len(ids)
        start = rng.randrange(n)
        shift = rng.randrange(n)
        ret = {}
        for p in range(n_parts):
            if p > 0 and p % n == 0:
                shift += 1
            first = (p + start) % n
            ret[p] = [ids[first]] + [ids[replica_index(first, shift, j, n)]
                                     for j in range(rf - 1)]
        return ret
    rack_of = dict(brokers)
    n_racks = len(set(rack_of.values()))
    arranged = rack_alternated(rack_of)
    n = len(arranged)
    start = rng.randrange(n)
    shift = rng.randrange(n)
    ret = {}
    for p in range(n_parts):
        if p > 0 and p % n == 0:
            shift += 1
        first = (p + start) % n
        leader = arranged[first]
        replicas, racks, held = [leader], {rack_of[leader]}, {leader}
        k = 0
        for _ in range(rf - 1):
            while True:
                b = arranged[replica_index(first, shift * n_racks, k, n)]
                r = rack_of[b]
                k += 1
                if ((r not in racks or len(racks) == n_racks) and
                        (b not in held or len(held) == n)):
                    replicas.append(b)
                    racks.add(r)
                    held.add(b)
                    break
        ret[p] = replicas
    return ret


def moves(old, new):
    """Replicas that must be copied: new replicas not in the old set."""
    return sum(len(set(new[p]) - set(old[p])) for p in old)


def lower_bound(view):
    """Per topic, the replicas the emptiest brokers lack to reach the
    floor of the mean: no plan balanced within one moves fewer."""
    ids = [b["id"] for b in view["brokers"]]
    total = 0
    for t in view["topics"]:
        count = {b: 0 for b in ids}
        for a in t["assignment"]:
            for r in a["replicas"]:
                count[r] += 1
        floor = sum(count.values()) // len(ids)
        total += sum(max(0, floor - c) for c in count.values())
    return total


def kagent_moves(kagent, view, cluster):
    """kagent fleet --reassign --from: its own total, and the moves
    counted again from the plan files it wrote."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "view.json")
        with open(src, "w") as f:
            json.dump(view, f)
        out = subprocess.run(
            [kagent, "fleet", "--reassign", cluster, "--from", src,
             "--out", os.path.join(d, "plan"), "--json"],
            check=True, capture_output=True, text=True).stdout
        total = json.loads(out)["totals"]["replicas_moved"]
        old = {(t["name"], a["partition"]): a["replicas"]
               for t in view["topics"] for a in t["assignment"]}
        counted = 0
        plan = os.path.join(d, "plan")
        for name in sorted(os.listdir(plan)) if os.path.isdir(plan) else []:
            if name.endswith(".rollback.json"):
                continue
            with open(os.path.join(plan, name)) as f:
                for p in json.load(f)["partitions"]:
                    key = (p["topic"], p["partition"])
                    counted += len(set(p["replicas"]) - set(old[key]))
    return total, counted


def generate_moves(view, seeds):
    brokers = [(b["id"], b["rack"] or None) for b in view["brokers"]]
    runs = []
    for seed in range(seeds):
        rng = random.Random(seed)
        n = 0
        for t in view["topics"]:
            old = {a["partition"]: a["replicas"] for a in t["assignment"]}
            new = generate(brokers, len(old), t["replication_factor"], rng)
            n += moves(old, new)
        runs.append(n)
    return runs


def fifty_plus_one(topics, parts, rf, racks, seed=1):
    """50 brokers in `racks` racks, topics created by Kafka itself
    (assignReplicasToBrokers over the 50), then broker 51 added to the
    first rack with nothing on it."""
    rng = random.Random(seed)
    per = 50 // racks
    brokers = [(i, "r%d" % ((i - 1) // per + 1)) for i in range(1, 51)]
    view = {
        "cluster": "big", "state": "complete", "why": "", "error": None,
        "fetched_ms": 1764683000000, "controller": 1, "cluster_id": "big",
        "brokers": [], "topics": [],
    }
    for i, r in brokers + [(51, "r1")]:
        view["brokers"].append({
            "id": i, "host": "b%d.example" % i, "port": 9092, "rack": r,
            "registered": True, "host_id": "b%d" % i,
            "started_ms": 1764680000000, "nic_speed_mbps": 25000})
    for t in range(topics):
        asg = generate(brokers, parts, rf, rng)
        view["topics"].append({
            "name": "topic-%04d" % t, "partitions": parts,
            "replication_factor": rf, "min_insync_replicas": 2,
            "min_insync_replicas_source": "topic",
            "retention_ms": 604800000, "retention_bytes": -1,
            "bytes": parts * rf * 1000000, "replica_bytes": 1000000,
            "under_replicated": 0, "under_min_isr": 0, "offline": 0,
            "assignment": [{"partition": p, "leader": asg[p][0],
                            "replicas": asg[p], "isr": asg[p]}
                           for p in range(parts)]})
    return view


def report(name, view, kagent, seeds):
    total, counted = kagent_moves(kagent, view, view["cluster"])
    runs = generate_moves(view, seeds)
    mean = sum(runs) / len(runs)
    replicas = sum(len(a["replicas"]) for t in view["topics"]
                   for a in t["assignment"])
    print("%s: %d brokers, %d topics, %d replicas" %
          (name, len(view["brokers"]), len(view["topics"]), replicas))
    print("  lower bound (balance within one per topic): %d replicas"
          % lower_bound(view))
    print("  kagent fleet --reassign: %d replicas moved (%d counted in "
          "its plan files), %.1f%% of all" %
          (total, counted, 100.0 * total / replicas))
    print("  kafka-reassign-partitions --generate: %.1f replicas moved "
          "(mean of %d draws, min %d, max %d), %.1f%% of all" %
          (mean, len(runs), min(runs), max(runs), 100.0 * mean / replicas))
    print("  ratio --generate / kagent: %.1f" %
          (mean / total if total else float("inf")))


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: reassign_compare.py KAGENT_BIN FIXTURE [SEEDS]")
    kagent, fixture = sys.argv[1], sys.argv[2]
    seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    with open(fixture) as f:
        report("scale-out 3 -> 4 (%s)" % os.path.basename(fixture),
               json.load(f), kagent, seeds)
    report("50 -> 51 brokers, 5 racks, 2000 topics x 50 partitions, RF 3",
           fifty_plus_one(2000, 50, 3, 5), kagent, seeds)


if __name__ == "__main__":
    main()
