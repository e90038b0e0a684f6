#!/usr/bin/env python3
"""Shared-library closure of ELF files, read from their headers (PT_INTERP,
DT_NEEDED, DT_RUNPATH/DT_RPATH) rather than by running ldd, so nothing is
executed and the same resolution can be done inside an image's root file
system as well as on the host.  scripts/images.sh uses it to know which
libraries an image needs and to check the result.

  elf_deps.py closure FILE...   the dynamic loader and every library the
                                FILEs need, transitively, resolved on the
                                host; with the symlinks on the way (a
                                soname link and the file it names), one
                                absolute path a line
  elf_deps.py check ROOTFS      every ELF file under ROOTFS: its loader and
                                each DT_NEEDED resolve inside ROOTFS (as
                                the loader would there, with no
                                ld.so.cache); exit 1 naming what does not
  elf_deps.py dynamic ROOTFS    the ELF files under ROOTFS that need
                                libraries (DT_NEEDED): executables and
                                libraries alike, one path a line

Resolution follows glibc's order without a cache: DT_RPATH (only when there
is no DT_RUNPATH), DT_RUNPATH, then Debian's built-in directories for
x86_64 (the multiarch ones first).  A candidate of another ELF class or
machine is skipped, as the loader does.
"""
import os
import struct
import sys

DEFAULT_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                "/lib", "/usr/lib"]
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB, DT_RPATH, DT_RUNPATH = 0, 1, 5, 15, 29


class Elf:
    """What the loader reads of one ELF file: class, machine, interpreter,
    needed sonames and search paths."""

    def __init__(self, path):
        self.interp = None
        self.needed = []
        self.rpath = []
        self.runpath = []
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != b"\x7fELF":
            raise ValueError("not ELF")
        self.ei_class, ei_data = data[4], data[5]
        if ei_data != 1:
            raise ValueError("big-endian ELF")
        if self.ei_class == 2:
            hdr = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
            phoff, phentsize, phnum = hdr[4], hdr[8], hdr[9]
            ph_fmt, dyn_fmt = "<IIQQQQQQ", "<qQ"
        elif self.ei_class == 1:
            hdr = struct.unpack_from("<HHIIIIIHHHHHH", data, 16)
            phoff, phentsize, phnum = hdr[4], hdr[8], hdr[9]
            ph_fmt, dyn_fmt = "<IIIIIIII", "<iI"
        else:
            raise ValueError("bad ELF class")
        self.machine = hdr[1]
        loads, dynamic = [], None
        for i in range(phnum):
            ph = struct.unpack_from(ph_fmt, data, phoff + i * phentsize)
            if self.ei_class == 2:
                p_type, p_offset, p_vaddr, p_filesz = ph[0], ph[2], ph[3], ph[5]
            else:
                p_type, p_offset, p_vaddr, p_filesz = ph[0], ph[1], ph[2], ph[4]
            if p_type == PT_LOAD:
                loads.append((p_vaddr, p_offset, p_filesz))
            elif p_type == PT_DYNAMIC:
                dynamic = (p_offset, p_filesz)
            elif p_type == PT_INTERP:
                self.interp = data[p_offset:p_offset + p_filesz].split(b"\0")[0].decode()
        if dynamic is None:
            return
        entries = []
        step = struct.calcsize(dyn_fmt)
        for off in range(dynamic[0], dynamic[0] + dynamic[1], step):
            tag, val = struct.unpack_from(dyn_fmt, data, off)
            if tag == DT_NULL:
                break
            entries.append((tag, val))
        strtab = next((v for t, v in entries if t == DT_STRTAB), None)
        if strtab is None:
            return
        # DT_STRTAB is an address: map it to a file offset through PT_LOAD.
        base = next((off + strtab - va for va, off, sz in loads if va <= strtab < va + sz), None)
        if base is None:
            raise ValueError("DT_STRTAB outside PT_LOAD")

        def string(v):
            end = data.index(b"\0", base + v)
            return data[base + v:end].decode()

        for tag, val in entries:
            if tag == DT_NEEDED:
                self.needed.append(string(val))
            elif tag == DT_RPATH:
                self.rpath += string(val).split(":")
            elif tag == DT_RUNPATH:
                self.runpath += string(val).split(":")


def in_root(root, path, depth=0):
    """PATH as seen from inside ROOT: absolute symlinks restart at ROOT.
    Returns the host path of the final file, or None."""
    if depth > 40:
        return None
    cur = root
    parts = [p for p in path.split("/") if p]
    for i, part in enumerate(parts):
        nxt = os.path.join(cur, part)
        if os.path.islink(nxt):
            target = os.readlink(nxt)
            rest = "/".join(parts[i + 1:])
            if target.startswith("/"):
                return in_root(root, target + "/" + rest, depth + 1)
            inner = os.path.relpath(os.path.join(cur, target), root)
            if inner.startswith(".."):
                inner = "."  # `..` above the root stays at the root
            return in_root(root, "/" + inner + "/" + rest, depth + 1)
        if part == "..":
            nxt = os.path.dirname(cur) if cur != root else root
        cur = nxt
    return cur if os.path.exists(cur) else None


def load(path):
    try:
        return Elf(path)
    except (OSError, ValueError, struct.error, IndexError):
        return None


class Resolver:
    def __init__(self, root):
        self.root = root

    def find(self, name, owner_path, owner):
        """The path (inside the root, as the loader names it) of soname NAME
        needed by OWNER, or None."""
        if "/" in name:
            return name if in_root(self.root, name) else None
        origin = os.path.dirname(owner_path)
        dirs = (owner.rpath if not owner.runpath else []) + owner.runpath + DEFAULT_DIRS
        for d in dirs:
            d = d.replace("$ORIGIN", origin).replace("${ORIGIN}", origin)
            if not d:
                continue
            cand = os.path.join(d, name)
            host = in_root(self.root, cand)
            if host is None or not os.path.isfile(host):
                continue
            lib = load(host)
            if lib and lib.ei_class == owner.ei_class and lib.machine == owner.machine:
                return cand
        return None


def link_chain(path):
    """PATH and, while it is a symlink, each path it points to (with the
    link's directory resolved, so relative targets stay right on a host
    whose /lib is a link to /usr/lib)."""
    out = [path]
    for _ in range(40):
        if not os.path.islink(path):
            break
        target = os.readlink(path)
        if not target.startswith("/"):
            target = os.path.join(os.path.realpath(os.path.dirname(path)), target)
        path = os.path.normpath(target)
        out.append(path)
    return out


def cmd_closure(files):
    res = Resolver("/")
    seen, todo, out, missing = set(), [], set(), []
    for f in files:
        e = load(f)
        if e:
            todo.append((f, e))
    while todo:
        path, e = todo.pop()
        wanted = ([e.interp] if e.interp else []) + [
            res.find(n, path, e) or ("?" + n) for n in e.needed]
        for w in wanted:
            if w.startswith("?"):
                missing.append(f"{path}: {w[1:]}")
                continue
            if w in seen:
                continue
            seen.add(w)
            out.update(link_chain(w))
            lib = load(os.path.realpath(w))
            if lib:
                todo.append((w, lib))
    if missing:
        sys.stderr.write("elf_deps: unresolved on this host:\n  " + "\n  ".join(missing) + "\n")
        return 1
    print("\n".join(sorted(out)))
    return 0


def walk_elves(rootfs):
    """(path inside rootfs, Elf) of every regular ELF file under ROOTFS."""
    for top, dirs, files in os.walk(rootfs):
        dirs.sort()
        for name in sorted(files):
            host = os.path.join(top, name)
            if os.path.islink(host) or not os.path.isfile(host):
                continue
            with open(host, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            e = load(host)
            if e:
                yield "/" + os.path.relpath(host, rootfs), e


def cmd_check(rootfs):
    res = Resolver(rootfs)
    n_elf = n_needed = 0
    bad = []
    for path, e in walk_elves(rootfs):
        n_elf += 1
        if e.interp and not in_root(rootfs, e.interp):
            bad.append(f"{path}: loader {e.interp}")
        for name in e.needed:
            n_needed += 1
            if not res.find(name, path, e):
                bad.append(f"{path}: {name}")
    if bad:
        print("elf_deps: unresolved inside " + rootfs + ":\n  " + "\n  ".join(bad))
        return 1
    print(f"elf_deps: {n_elf} ELF files, {n_needed} DT_NEEDED entries, all resolve inside {rootfs}")
    return 0


def cmd_dynamic(rootfs):
    for path, e in walk_elves(rootfs):
        if e.needed:
            print(path)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "closure":
        return cmd_closure(argv[1:])
    if len(argv) == 2 and argv[0] == "check":
        return cmd_check(os.path.abspath(argv[1]))
    if len(argv) == 2 and argv[0] == "dynamic":
        return cmd_dynamic(os.path.abspath(argv[1]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
