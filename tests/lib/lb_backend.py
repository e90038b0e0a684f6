#!/usr/bin/env python3
"""A Service backend for dataplane tests: answers every TCP connection on
TCP_PORT and every UDP datagram on UDP_PORT with NAME, until killed.

    lb_backend.py NAME TCP_PORT UDP_PORT"""
import selectors
import socket
import sys

name = sys.argv[1].encode()
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("0.0.0.0", int(sys.argv[2])))
tcp.listen(64)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("0.0.0.0", int(sys.argv[3])))
sel = selectors.DefaultSelector()
sel.register(tcp, selectors.EVENT_READ)
sel.register(udp, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is tcp:
            conn, _ = tcp.accept()
            conn.sendall(name)
            conn.close()
        else:
            _, peer = udp.recvfrom(2048)
            udp.sendto(name, peer)
