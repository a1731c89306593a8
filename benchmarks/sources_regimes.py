"""Score-source timings in one memory regime at a time: why `pairing bench`'s medians swing.

``python benchmarks/sources_regimes.py N PAUSE`` builds the bench's ``sources`` instance at
N × N and times ``score_matrix`` six times in one process for each of the terms rows
(``terms:tags``, ``terms:text``, ``terms:all``), waiting PAUSE seconds between calls.

On a machine that hands freed memory back to its host (a VM with free page reporting), the n²
buffers one call frees are returned within a couple of seconds, and the next call's first
writes into them cost page faults at the host. Back to back (PAUSE 0) every call after the first
reuses memory the process still holds; with PAUSE 3 every call pays the faults. A
`pairing bench` row mixes the two regimes in its repeats, and a row whose repeats fall in the
slow one has a slow median; timing each row in one regime shows the ratio of the work itself.
The first call of each row (cold: compiling, first touch) is left out of the median.
"""

from __future__ import annotations

import statistics
import sys
import time

from pairing.bench.grid import Case
from pairing.bench.instances import build_instance, source_variant
from pairing.features import score_matrix

ROWS = ("terms:tags", "terms:text", "terms:all")
CALLS = 6


def main(n: int, pause: float) -> None:
    programme = build_instance(Case(family="sources", n_left=n, n_right=n)).programme
    medians: dict[str, float] = {}
    for row in ROWS:
        variant = source_variant(programme, row)
        times = []
        for _ in range(CALLS):
            start = time.perf_counter()
            matrices = score_matrix(variant)
            times.append(time.perf_counter() - start)
            del matrices
            time.sleep(pause)
        medians[row] = statistics.median(times[1:])
        print(f"{row}: median {medians[row]:.3f} s of calls 2..{CALLS} "
              f"({', '.join(f'{t:.3f}' for t in times)})", flush=True)
    base = medians["terms:tags"]
    for row in ROWS[1:]:
        print(f"{row} / terms:tags = {medians[row] / base:.2f}x (pause {pause:g} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
