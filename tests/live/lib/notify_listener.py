# The service manager's end of sd_notify, for the daemons' systemd tests:
# binds SOCKET (a datagram unix socket any user may write to, as systemd's
# is) and writes each datagram to OUT as one line "SECONDS<TAB>message",
# seconds since start, a newline inside a message shown as '|'.
# usage: notify_listener.py SOCKET OUT
import os
import socket
import sys
import time

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
t0 = time.monotonic()
with open(sys.argv[2], "w", buffering=1) as out:
    while True:
        m = s.recv(4096).decode("utf-8", "replace")
        out.write("%.3f\t%s\n" % (time.monotonic() - t0, m.replace("\n", "|")))
