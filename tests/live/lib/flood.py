#!/usr/bin/env python3
"""Idle TCP connections to a port, as a flood would open them: connect
from SOURCE (a loopback address), send nothing, and watch when the server
closes each one.

usage: flood.py HOST PORT SOURCE COUNT READY_FILE OUT_FILE DEADLINE_S [SPLIT_S]

After the last connect it writes READY_FILE; it then waits until every
connection is closed by the server or DEADLINE_S has passed, and writes
OUT_FILE as JSON: count, closed within SPLIT_S (default 1) seconds of their
connect (refused at accept), closed later (with the shortest and longest lifetime in
seconds), and still open at the deadline.  SPLIT_S sits between the two:
a refused connection is closed only once the server accepts it, and a
slow server (a sanitizer build, a loaded machine) drains a backlog of a
thousand connections in more than a second, so a caller that knows its
timeout puts the split well below it."""
import json
import select
import socket
import sys
import time

host, port, source, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ready, out, deadline = sys.argv[5], sys.argv[6], float(sys.argv[7])
split = float(sys.argv[8]) if len(sys.argv) > 8 else 1.0

socks = {}
born = {}
died = {}
connect_failed = 0
p = select.poll()
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    try:
        s.connect((host, port))
    except OSError:
        connect_failed += 1
        s.close()
        continue
    fd = s.fileno()
    socks[fd] = s
    born[fd] = time.monotonic()
    p.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
with open(ready, "w") as f:
    f.write("%d\n" % len(socks))
end = time.monotonic() + deadline
while len(died) < len(socks) and time.monotonic() < end:
    for fd, ev in p.poll(100):
        now = time.monotonic()
        try:
            data = socks[fd].recv(4096)
        except OSError:
            data = b""
        if data:
            continue
        died[fd] = now - born[fd]
        p.unregister(fd)
        socks[fd].close()
fast = [t for t in died.values() if t < split]
slow = [t for t in died.values() if t >= split]
with open(out, "w") as f:
    json.dump({
        "count": count,
        "connect_failed": connect_failed,
        "refused": len(fast),
        "timed_out": len(slow),
        "lifetime_min": round(min(slow), 3) if slow else None,
        "lifetime_max": round(max(slow), 3) if slow else None,
        "open": len(socks) - len(died),
    }, f)
    f.write("\n")
