"""Leximin with and without the level rounds, side by side on one programme.

``python benchmarks/leximin_levels.py PROGRAMME [--fair-to left] [--time-limit 60]`` solves
``leximin`` with ``leximin-milp`` twice in this process:

* ``positions``: the position rounds alone (ordered outcomes and counting brackets, one MILP
  round per sorted position), as before the level rounds;
* ``no-sets``: the shipped solver with the configuration rounds proven by MILPs over the cells
  alone (no matching among the configuration LP's partner sets, and so no branching on the LP
  where they hold none), as at the release before;
* ``levels``: the shipped solver — level rounds first (configuration or LP rounds, rounds on
  matchings where the LP is not tight), then the position rounds from the positions they proved.

Each line: status, positions proven (of the counted enterprises), the worst gain, the total
score and seconds; then the ratios of positions proven (``--time-limit`` stops each) and of
seconds. Run the two in separate processes or one
after the other on a quiet machine: they share nothing but the programme. The README quotes its
output.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import time
from unittest import mock

import pairing
import pairing.solvers.fair.level_rounds as level_rounds
import pairing.solvers.fair.leximin as leximin


def run(programme: pairing.Programme, fair_to: str | None, time_limit: float,
        name: str) -> tuple[int, float]:
    """Solve once as ``name`` says; print one line; return (positions proven, seconds)."""
    started = time.perf_counter()
    switch: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    if name == "positions":
        switch = mock.patch.object(leximin, "_lp_stage", lambda *args: False)
    elif name == "no-sets":  # (no matching among the sets: the MILPs prove every round)
        switch = mock.patch.object(level_rounds, "matching_among_sets",
                                   lambda *args: (None, False))
    with switch:
        result = pairing.solve(programme, objective="leximin", solver="leximin-milp",
                               time_limit=time_limit, fair_to=fair_to)
    seconds = time.perf_counter() - started
    note = result.solver.note or ""
    counted = int(re.search(r"(\d+) gain\(s\)", note).group(1))  # type: ignore[union-attr]
    stopped = re.search(r"fixing (\d+) of", note)
    proven = int(stopped.group(1)) if stopped else counted
    print(f"{name:9}  {result.status:8}  {proven:4} of {counted} positions  "
          f"worst {result.objective_value:.4f}  total {result.metrics.total_score:.4f}  "
          f"{seconds:6.1f} s")
    return proven, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programme")
    parser.add_argument("--fair-to", default=None, choices=["both", "left", "right"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    programme = pairing.load(args.programme)
    (before, _), (no_sets, slow) = (run(programme, args.fair_to, args.time_limit, name)
                                    for name in ("positions", "no-sets"))
    after, fast = run(programme, args.fair_to, args.time_limit, "levels")
    print(f"positions proven, levels / positions: {after / max(before, 1):.2f}; "
          f"levels / no-sets: {after / max(no_sets, 1):.2f} (seconds {fast / slow:.2f})")


if __name__ == "__main__":
    main()
