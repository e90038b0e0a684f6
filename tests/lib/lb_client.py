#!/usr/bin/env python3
"""Asks a Service N times, each over a new connection (TCP) or a new socket
(UDP, a new source port), and prints the answers' names, sorted, with
their counts: "d1:11 d2:9".  A failed attempt counts as "error".

    lb_client.py tcp|udp VIP PORT N"""
import collections
import socket
import sys

proto, vip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seen = collections.Counter()
for _ in range(n):
    try:
        if proto == "tcp":
            with socket.create_connection((vip, port), timeout=2) as s:
                seen[s.recv(64).decode() or "empty"] += 1
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(2)
                s.sendto(b"?", (vip, port))
                seen[s.recv(64).decode()] += 1
    except OSError:
        seen["error"] += 1
print(" ".join("%s:%d" % kv for kv in sorted(seen.items())))
