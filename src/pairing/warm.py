"""Compile pairing's numba kernels into numba's on-disk cache, once, at set-up.

Every compiled kernel (the scoring's combination pass, the stable matching, the sparse and
large assignment paths, the one-to-one level tests and leximin's pricing) is compiled the first
time a process calls it and cached beside its source. On a fresh machine that first call costs
seconds: a first ``stable`` solve about 5 s, a first sparse solve about 7 s, a first leximin
with capacities about 1.5–3.7 s, all counted against the user's time limit. ``make`` runs this
module after installing, so that no user-facing run pays it::

    python -m pairing.warm

It solves tiny generated programmes through the same code paths (so the kernels are compiled
for the argument types real runs pass them) and prints how long that took. Numba is a core
dependency; without it there is nothing to warm, and the module says so.
"""

from __future__ import annotations

import importlib.util
import time

__all__ = ["warm"]


def warm() -> float:
    """Run each compiled path once on a tiny programme; the seconds it took."""
    import pairing
    from pairing.core.large import solve_large
    from pairing.generator import generate
    from pairing.solvers.fair.config_pricing import warm_up

    began = time.perf_counter()
    one_to_one = generate(24, 24, seed=1)
    rich = generate(24, 24, seed=1, text=True, preferences=True, history=True)
    pairing.solve(one_to_one, objective="maxmin")  # the one-to-one level tests
    pairing.solve(one_to_one, objective="stable")
    pairing.solve(rich, objective="total", solver="sparse")  # scoring's combination too
    solve_large(rich, "compiling the large path's kernels")
    warm_up()  # leximin's pricing
    return time.perf_counter() - began


def main() -> None:
    if importlib.util.find_spec("numba") is None:
        print("numba is not installed: nothing to compile")
        return
    print(f"compiled pairing's kernels in {warm():.1f} s")


if __name__ == "__main__":
    main()
