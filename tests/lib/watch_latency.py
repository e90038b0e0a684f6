#!/usr/bin/env python3
"""Reads `kubectl get ... --watch --output-watch-events -o json` live from
a pipe (a stream of pretty-printed watch events, stamped on arrival) and
reports, for objects whose name starts with PREFIX, the time from the
first event that shows an object to the first that carries annotation KEY:
the controller's latency, measured the way a user would see it.

usage: watch_latency.py PREFIX KEY COUNT LIMIT_S
Stops once COUNT objects carry the annotation and prints "max X s, p50 Y s
over N objects"; exits 1 if the stream ends first or the max exceeds
LIMIT_S.
"""
import json
import sys
import time


def events(stream):
    decoder = json.JSONDecoder()
    buf = ""
    for line in iter(stream.readline, ""):
        buf += line
        while True:
            stripped = buf.lstrip()
            if not stripped:
                buf = ""
                break
            try:
                obj, end = decoder.raw_decode(stripped)
            except ValueError:
                break
            buf = stripped[end:]
            yield time.monotonic(), obj


def main():
    prefix, key = sys.argv[1], sys.argv[2]
    count, limit = int(sys.argv[3]), float(sys.argv[4])
    seen, done = {}, {}
    for t, ev in events(sys.stdin):
        meta = ev.get("object", {}).get("metadata", {})
        name = meta.get("name", "")
        if not name.startswith(prefix):
            continue
        seen.setdefault(name, t)
        if key in (meta.get("annotations") or {}) and name not in done:
            done[name] = t - seen[name]
            if len(done) >= count:
                break
    if len(done) < count:
        print("only %d of %d annotated" % (len(done), count))
        return 1
    lat = sorted(done.values())
    print("max %.3f s, p50 %.3f s over %d objects"
          % (lat[-1], lat[len(lat) // 2], len(lat)))
    return 0 if lat[-1] <= limit else 1


if __name__ == "__main__":
    sys.exit(main())
