#!/usr/bin/env python3
"""Writes the hand-made seed corpus of fuzz/call_sequence.cc.

FuzzedDataProvider reads integers from the END of the input, one byte per
8 bits of range, most significant first; this encodes commands the way
call_sequence.cc's Decode reads them (op, slot, then the op's fields).
Usage: fuzz/tools/call_sequence_seeds.py fuzz/corpus/call_sequence
       fuzz/tools/call_sequence_seeds.py --dict > fuzz/dict/call_sequence.dict
"""
import os
import sys

OPS = ["socket", "bind", "listen", "connect", "accept", "send", "recv",
       "shutdown", "close", "getsockname", "getpeername"]
SHUT = {"rd": 0, "wr": 1, "rdwr": 2}
MAX_TARGET = 3   # max(kNames, kSlots) - 1
MAX_IO = 512


def integral(lo, hi, value):
    """Bytes (in consumption order) that ConsumeIntegralInRange(lo, hi) reads as value."""
    rng, v, out, off = hi - lo, value - lo, [], 0
    nbytes = 0
    while off < 64 and (rng >> off) > 0:
        nbytes += 1
        off += 8
    for k in reversed(range(nbytes)):   # most significant first
        out.append((v >> (8 * k)) & 0xff)
    return out


def command(op, slot, *args):
    b = integral(0, len(OPS) - 1, OPS.index(op)) + integral(0, 3, slot)
    if op == "socket":
        domain, typ = args
        b += integral(0, 255, domain == "inet") + integral(0, 255, typ == "dgram")
    elif op in ("bind", "connect"):
        b += integral(-1, MAX_TARGET, args[0])
    elif op == "send":
        target, size, fill = args
        b += integral(-1, MAX_TARGET, target) + integral(1, MAX_IO, size) + integral(0, 255, fill)
    elif op == "recv":
        b += integral(1, MAX_IO, args[0])
    elif op == "shutdown":
        b += integral(0, 2, SHUT[args[0]])
    return b


SEEDS = {
    "unix-stream-lifecycle": [
        ("socket", 0, "unix", "stream"), ("bind", 0, 0), ("listen", 0),
        ("socket", 1, "unix", "stream"), ("connect", 1, 0), ("accept", 0),
        ("send", 1, -1, 5, 0x41), ("recv", 2, 16), ("shutdown", 1, "wr"), ("recv", 2, 16),
        ("close", 1), ("getsockname", 2), ("getpeername", 2), ("send", 2, -1, 1, 0)],
    "unix-dgram-sendto-connect": [
        ("socket", 0, "unix", "dgram"), ("bind", 0, 1), ("socket", 1, "unix", "dgram"),
        ("send", 1, 1, 3, 0x61), ("recv", 0, 8), ("connect", 1, 1), ("send", 1, -1, 2, 0x30),
        ("recv", 0, 1), ("close", 0), ("send", 1, -1, 1, 0)],
    "inet-tcp-lifecycle": [
        ("socket", 0, "inet", "stream"), ("bind", 0, -1), ("listen", 0),
        ("socket", 1, "inet", "stream"), ("connect", 1, 0), ("accept", 0),
        ("send", 2, -1, 7, 0x10), ("recv", 1, 512), ("shutdown", 2, "rdwr"), ("recv", 1, 4),
        ("getpeername", 1), ("close", 0), ("close", 2), ("send", 1, -1, 1, 0)],
    "inet-udp-sendto": [
        ("socket", 0, "inet", "dgram"), ("bind", 0, -1), ("socket", 1, "inet", "dgram"),
        ("bind", 1, -1), ("send", 1, 0, 9, 0x20), ("recv", 0, 4), ("getsockname", 1), ("connect", 1, 0),
        ("getpeername", 1), ("close", 0), ("send", 1, -1, 1, 0), ("recv", 1, 4)],
    "errors-unbound": [
        ("socket", 0, "unix", "stream"), ("listen", 0), ("accept", 0), ("recv", 0, 1),
        ("getpeername", 0), ("socket", 1, "inet", "stream"), ("listen", 1), ("accept", 1),
        ("socket", 2, "unix", "dgram"), ("send", 2, -1, 1, 0), ("connect", 2, 3)],
    "unix-bind-twice-and-refused": [
        ("socket", 0, "unix", "stream"), ("bind", 0, 2), ("bind", 0, 3),
        ("socket", 1, "unix", "stream"), ("bind", 1, 2), ("connect", 1, 2), ("close", 0),
        ("socket", 0, "unix", "stream"), ("connect", 0, 2), ("connect", 0, 3)],
}


# One dictionary entry per command shape: libFuzzer splices them into inputs.
DICT_COMMANDS = [
    ("socket", 0, "unix", "stream"), ("socket", 1, "unix", "dgram"),
    ("socket", 2, "inet", "stream"), ("socket", 3, "inet", "dgram"),
    ("bind", 0, 0), ("bind", 1, -1), ("listen", 0), ("connect", 1, 0), ("connect", 2, 3),
    ("accept", 0), ("send", 1, -1, 4, 0x41), ("send", 3, 0, 1, 0), ("recv", 2, 16),
    ("recv", 0, 512), ("shutdown", 1, "wr"), ("shutdown", 2, "rdwr"), ("close", 0),
    ("getsockname", 1), ("getpeername", 2),
]


def write_dict():
    print("# AFL-style dictionary for fuzz/call_sequence.cc, written by")
    print("# fuzz/tools/call_sequence_seeds.py --dict: one whole command each, in the")
    print("# byte order FuzzedDataProvider reads (integers come from the end of the input).")
    for cmd in DICT_COMMANDS:
        name = "_".join(str(a).replace("-", "m") for a in cmd)
        data = bytes(reversed(command(*cmd)))
        print('%s="%s"' % (name, "".join("\\x%02x" % b for b in data)))


def main():
    if sys.argv[1] == "--dict":
        write_dict()
        return
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name, cmds in SEEDS.items():
        consumed = [b for c in cmds for b in command(*c)]
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(bytes(reversed(consumed)))


if __name__ == "__main__":
    main()
