#!/usr/bin/env python3
"""A host "outside" the cluster that tells each TCP client the source
address it saw, and the client that asks it.  It answers in HTTP, so that
curl works too, and does not wait for a request, so that a bare TCP
client works as well.

    outside_echo.py serve ADDR PORT   answers "<peer address>\\n" forever
    outside_echo.py ask ADDR PORT     prints that answer, or "error"
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
            conn.settimeout(0.2)
            try:
                # A request, if the client sends one: closing with it
                # unread would reset the connection under curl.
                conn.recv(4096)
            except OSError:
                pass
            body = (peer[0] + "\n").encode()
            try:
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
            except OSError:
                pass
else:
    try:
        with socket.create_connection((addr, port), timeout=2) as s:
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        print(data.decode().rsplit("\r\n\r\n", 1)[-1].strip() or "empty")
    except OSError:
        print("error")
