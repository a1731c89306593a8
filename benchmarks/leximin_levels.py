"""Leximin with and without the level rounds, side by side on one programme.

``python benchmarks/leximin_levels.py PROGRAMME [--fair-to left] [--time-limit 60]`` solves
``leximin`` with ``leximin-milp`` twice in this process:

* ``positions``: the position rounds alone (ordered outcomes and counting brackets, one MILP
  round per sorted position), as before the level rounds;
* ``levels``: the shipped solver — level rounds first (LP rounds, rounds on matchings where the
  LP is not tight), then the position rounds from the positions they proved.

Each line: status, positions proven (of the counted enterprises), the worst gain, the total
score and seconds; then the ratio of positions proven. Run the two in separate processes or one
after the other on a quiet machine: they share nothing but the programme. The README quotes its
output.
"""

from __future__ import annotations

import argparse
import re
import time
from unittest import mock

import pairing
import pairing.solvers.fair.leximin as leximin


def run(programme: pairing.Programme, fair_to: str | None, time_limit: float,
        levels: bool) -> tuple[str, int, int]:
    """Solve once; print one line; return (status, positions proven, counted)."""
    started = time.perf_counter()
    with mock.patch.object(leximin, "_lp_stage", leximin._lp_stage if levels
                           else lambda *args: False):
        result = pairing.solve(programme, objective="leximin", solver="leximin-milp",
                               time_limit=time_limit, fair_to=fair_to)
    seconds = time.perf_counter() - started
    note = result.solver.note or ""
    counted = int(re.search(r"(\d+) gain\(s\)", note).group(1))  # type: ignore[union-attr]
    stopped = re.search(r"fixing (\d+) of", note)
    proven = int(stopped.group(1)) if stopped else counted
    name = "levels" if levels else "positions"
    print(f"{name:9}  {result.status:8}  {proven:4} of {counted} positions  "
          f"worst {result.objective_value:.4f}  total {result.metrics.total_score:.4f}  "
          f"{seconds:6.1f} s")
    return result.status, proven, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programme")
    parser.add_argument("--fair-to", default=None, choices=["both", "left", "right"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    programme = pairing.load(args.programme)
    _, before, _ = run(programme, args.fair_to, args.time_limit, levels=False)
    _, after, _ = run(programme, args.fair_to, args.time_limit, levels=True)
    print(f"positions proven, levels / positions: {after / max(before, 1):.2f}")


if __name__ == "__main__":
    main()
