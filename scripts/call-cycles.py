#!/usr/bin/env python3
"""Finds call cycles between kovn's source files.

    call-cycles.py BUILD_DIR...

Reads each object file (*.c.o, anywhere under the directories given) with
nm for its defined and undefined symbols, links every file to the files
whose functions it calls, and prints each group of files that call each
other in a circle (strongly connected components of more than one file).  Exits 1 if there is any: a file may call down to another,
never back up to its caller (see ../docs/architecture.md)."""
import os
import subprocess
import sys


def symbols(path):
    out = subprocess.run(["nm", "--defined-only", "-g", path],
                         capture_output=True, text=True, check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if l.strip()}
    out = subprocess.run(["nm", "--undefined-only", path],
                         capture_output=True, text=True, check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, used


def source_name(obj):
    # meson names objects like "src_daemon_ops.c.o" or "ops.c.o".
    return os.path.basename(obj)[:-len(".o")]


files = {}
for top in sys.argv[1:]:
    for d, _, entries in sorted(os.walk(top)):
        for entry in sorted(entries):
            if entry.endswith(".c.o"):
                files[os.path.join(d, entry)] = symbols(os.path.join(d, entry))
owner = {}
for obj, (defined, _) in files.items():
    for sym in defined:
        owner[sym] = obj
calls = {obj: {owner[s] for s in used if s in owner and owner[s] != obj}
         for obj, (_, used) in files.items()}

# Tarjan's strongly connected components, iteratively.
index, low, on_stack, stack, sccs, counter = {}, {}, set(), [], [], [0]
for root in calls:
    if root in index:
        continue
    work = [(root, iter(sorted(calls[root])))]
    index[root] = low[root] = counter[0]
    counter[0] += 1
    stack.append(root)
    on_stack.add(root)
    while work:
        node, children = work[-1]
        for child in children:
            if child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(calls[child]))))
                break
            if child in on_stack:
                low[node] = min(low[node], index[child])
        else:
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                scc = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    scc.append(top)
                    if top == node:
                        break
                if len(scc) > 1:
                    sccs.append(sorted(source_name(s) for s in scc))
for scc in sccs:
    print("call cycle: " + " <-> ".join(scc))
print("%d object files, %d call cycles" % (len(files), len(sccs)))
sys.exit(1 if sccs else 0)
