"""Shared-mapping coherence between two mounts of one pool (mempool's tests).

usage: mmap-rounds.py PATH_ON_A PATH_ON_B ROUNDS [both|ab]

Both paths name the same file, seen through two mounts. Each side maps it
MAP_SHARED read-write once and keeps the mapping for the whole run. Round i:
one side (both: A on even rounds, B on odd; ab: always A) writes a fresh value
through its mapping at a round-dependent offset and msyncs; the other side then
reads it through its own mapping. Under a cached lease the writer's msync
returns only after the reader's pages were invalidated by the recall, so the
value is there at once; on a contended (uncached) file the reader's pages are
dropped right after each READ, and a READ in flight across the write can show
the old value for a moment. So a value not seen at once is waited for (up to
10 s): "stale" counts those, "lost" those never seen. At the end both mounts
read the file with read(): every value written must be there (a stale page
written back would clobber the other side's bytes).

Prints one JSON line: rounds, stale, maxLateMs (longest wait for a stale
value), lost, clobberedPages per mount (-1: wrong size), first failures.
"""

import json
import mmap
import os
import sys
import time

a_path, b_path, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
both = (sys.argv[4] if len(sys.argv) > 4 else "both") == "both"
size = 1 << 20

with open(a_path, "wb") as f:
    f.truncate(size)
fa = os.open(a_path, os.O_RDWR)
fb = os.open(b_path, os.O_RDWR)
ma = mmap.mmap(fa, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
mb = mmap.mmap(fb, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)

model = bytearray(size)
stale = 0
lost = 0
max_late_ms = 0
failures = []
slots = size // 4096
for i in range(rounds):
    a_writes = i % 2 == 0 or not both
    writer, reader = (ma, mb) if a_writes else (mb, ma)
    # a few pages are reused over and over (the reader has them mapped and cached), others are new
    off = ((i * 7919) % min(slots, 64)) * 4096 + (i % 4000)
    value = b"%c%09d" % (ord("A") if a_writes else ord("B"), i)
    writer[off : off + len(value)] = value
    writer.flush()
    model[off : off + len(value)] = value
    got = reader[off : off + len(value)]
    if got != value:
        stale += 1
        t0 = time.time()
        deadline = t0 + 10
        while reader[off : off + len(value)] != value and time.time() < deadline:
            time.sleep(0.01)
        late = reader[off : off + len(value)]
        max_late_ms = max(max_late_ms, int((time.time() - t0) * 1000))
        if late != value:
            lost += 1
        if len(failures) < 5:
            failures.append({"round": i, "offset": off, "wrote": value.decode(), "read": got.decode("latin1"), "later": late.decode("latin1")})

ma.close()
mb.close()
os.close(fa)
os.close(fb)
# the file as each mount reads it (read(), after both mappings are gone) must hold every value written
clobbered = {}
for name, p in (("a", a_path), ("b", b_path)):
    with open(p, "rb") as f:
        data = f.read()
    clobbered[name] = -1 if len(data) != size else sum(1 for k in range(0, size, 4096) if data[k : k + 4096] != model[k : k + 4096])
print(json.dumps({"rounds": rounds, "stale": stale, "maxLateMs": max_late_ms, "lost": lost, "clobberedPages": clobbered, "failures": failures}))
