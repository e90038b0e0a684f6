#!/usr/bin/env python3
"""A host "outside" the cluster that tells each TCP client the source
address it saw, and the client that asks it.

    source_echo.py serve ADDR PORT    answers "<peer address>\\n" forever
    source_echo.py ask ADDR PORT      prints that answer, or "error"
"""
import socket
import sys

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "serve":
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)
    while True:
        conn, peer = srv.accept()
        with conn:
            conn.sendall((peer[0] + "\n").encode())
else:
    try:
        with socket.create_connection((addr, port), timeout=2) as s:
            print(s.recv(64).decode().strip() or "empty")
    except OSError:
        print("error")
