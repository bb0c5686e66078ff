#!/usr/bin/env python3
"""Agents that never finish a frame: COUNT TLS connections with one
certificate, each sends its hello, reads the collector's answer, then 4
bytes announcing a frame of 1 MiB and 1 MiB - 1 bytes of it, and stops.

usage: partial.py PORT CA CERT KEY HOST_ID COUNT OUT_FILE HOLD_S

OUT_FILE (JSON): count, how many the collector closed (an error frame or
the end of the stream within a second of the last byte), how many it
holds.  The connections then stay open HOLD_S seconds, for the caller to
measure the collector, and are closed."""
import json
import socket
import ssl
import struct
import sys
import time

port, ca, cert, key, host_id = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
count, out, hold = int(sys.argv[6]), sys.argv[7], float(sys.argv[8])
FRAME_MAX = 1 << 20

def frame(payload):
    return struct.pack(">I", len(payload)) + payload

def hello(hid):
    # kagent.v1.Envelope { hello (1) { protocol_version (1) = 1, host_id (2) } }
    h = b"\x08\x01" + b"\x12" + bytes([len(hid)]) + hid.encode()
    return frame(b"\x0a" + bytes([len(h)]) + h)

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.load_cert_chain(cert, key)
body = struct.pack(">I", FRAME_MAX) + b"\x0a" * (FRAME_MAX - 1)
held, closed = [], 0
for _ in range(count):
    raw = socket.create_connection(("127.0.0.1", port))
    s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    s.sendall(hello(host_id))
    s.settimeout(5)
    s.recv(64)  # the answer to the hello: the last stored seq
    try:
        s.sendall(body)
        s.settimeout(1)
        data = s.recv(4096)
        # An error frame or the end: the collector refused it.
        closed += 1
        s.close()
    except socket.timeout:
        held.append(s)
    except (OSError, ssl.SSLError):
        closed += 1
        s.close()
with open(out, "w") as f:
    json.dump({"count": count, "closed": closed, "held": len(held)}, f)
    f.write("\n")
time.sleep(hold)
for s in held:
    s.close()
