#!/usr/bin/env python3
"""A stand-in for kovn-daemon's CNI socket, for tests/integration/test_cni.sh.

Serves one request per connection, like the real daemon: reads one line,
appends it to REQUESTS (one JSON object per line) and answers as the file
MODE says at that moment, so that the test switches behaviour without
restarting the server:

  result   {"result": <a canned ADD result>}
  ok       {}
  error    {"error": {"code": 100, "msg": ..., "details": ...}}
  partial  the first half of a result line, then close (peer dies mid-message)
  close    close without answering
  garbage  a line that is not JSON

Usage: test_cni_fake_daemon.py SOCKET MODE REQUESTS
"""
import json
import os
import signal
import socket
import sys

RESULT = {
    "cniVersion": "1.0.0",
    "interfaces": [
        {"name": "c1_h", "mac": "0a:58:0a:10:00:01"},
        {"name": "eth0", "mac": "0a:58:0a:10:00:05",
         "sandbox": "/var/run/netns/c1"},
    ],
    "ips": [{"address": "10.16.0.5/16", "gateway": "10.16.0.1",
             "interface": 1}],
    "routes": [{"dst": "0.0.0.0/0", "gw": "10.16.0.1"}],
    "dns": {"nameservers": ["10.96.0.10"], "search": ["cluster.local"]},
}

ERROR = {"error": {"code": 100, "msg": "no address left",
                   "details": "subnet ovn-default is full"}}


def read_line(conn):
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def answer(conn, mode):
    if mode == "result":
        conn.sendall(json.dumps({"result": RESULT}).encode() + b"\n")
    elif mode == "ok":
        conn.sendall(b"{}\n")
    elif mode == "error":
        conn.sendall(json.dumps(ERROR).encode() + b"\n")
    elif mode == "partial":
        line = json.dumps({"result": RESULT}).encode()
        conn.sendall(line[: len(line) // 2])
    elif mode == "garbage":
        conn.sendall(b"this is not json\n")
    # "close": nothing


def main():
    path, mode_file, requests_file = sys.argv[1:4]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)

    def stop(*_):
        server.close()
        os.unlink(path)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        conn, _ = server.accept()
        with conn:
            line = read_line(conn)
            with open(requests_file, "ab") as f:
                f.write(line if line.endswith(b"\n") else line + b"\n")
            with open(mode_file) as f:
                mode = f.read().strip()
            answer(conn, mode)


if __name__ == "__main__":
    main()
