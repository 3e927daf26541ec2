#!/usr/bin/env python3
"""Writes one deterministic mutation of a file (for tests/faults/mutations.sh).

usage: mutate.py SEED_FILE OUT_FILE CASE_NUMBER [HEADER_BYTES]

The case number picks the mutation, as FuzzMutator does in the unit tests: truncation at a
random offset, 1-8 random byte flips anywhere, or 4-8 header bytes overwritten with extreme
values (0x00, 0xFF, 0x7F, random) within the first HEADER_BYTES bytes. Prints what it did.
"""
import random
import sys

src, out, case = sys.argv[1], sys.argv[2], int(sys.argv[3])
header = int(sys.argv[4]) if len(sys.argv) > 4 else 512
data = bytearray(open(src, "rb").read())
rng = random.Random(case * 7919 + 17)
kind = case % 3
if kind == 0:
    cut = rng.randrange(0, len(data))
    what = f"truncated to {cut} of {len(data)} bytes"
    data = data[:cut]
elif kind == 1:
    offsets = sorted(rng.randrange(0, len(data)) for _ in range(rng.randint(1, 8)))
    for o in offsets:
        data[o] ^= 1 << rng.randrange(8)
    what = "bit flips at " + ",".join(map(str, offsets))
else:
    start = rng.randrange(0, max(1, min(header, len(data)) - 8))
    fill = rng.choice([0x00, 0xFF, 0x7F, None])
    n = rng.randint(4, 8)
    for o in range(start, min(len(data), start + n)):
        data[o] = rng.randrange(256) if fill is None else fill
    what = f"{n} header bytes at {start} set to {'random' if fill is None else hex(fill)}"
open(out, "wb").write(bytes(data))
print(what)
