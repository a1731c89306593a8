"""pairing against a plain HiGHS model of the same reviewer-assignment rules.

``python benchmarks/reviewer_highs.py PAPERS REVIEWERS [--seed S] [--time-limit 600]``
generates the programme of :mod:`reviewer_instances` (k = 3 reviewers per paper, loads 0..3,
1 % conflicts, "each paper has at least one senior reviewer") and solves the ``total`` objective
twice:

* ``plain-highs``: the model a user writes by hand with :func:`scipy.optimize.milp` (HiGHS):
  one binary per pair that is not a conflict, ``Σ_j x_pj = 3`` per paper, ``Σ_p x_pj ≤ 3`` per
  reviewer, ``Σ_{senior j} x_pj ≥ 1`` per paper. It is built here from the score matrix alone,
  sharing no code with pairing;
* ``pairing``: :func:`pairing.solve` (its ``auto`` choice, the partner-quota rule included).

It prints one line per contender: status, total score, seconds (model building included), and
the ratio of its time to the plain model's. The two optima must agree to 10⁻⁶; the script exits
1 if not. The README's reviewer table quotes its output.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

import pairing
from reviewer_instances import reviewer_programme

#: Reviewers per paper and the reviewers' load cap, as reviewer_instances writes them.
PER_PAPER, LOAD = 3, 3


def plain_highs(programme: pairing.Programme, time_limit: float) -> tuple[str, float]:
    """(status, total) of the hand-written MILP over every non-conflict pair."""
    scores = np.asarray(programme.scores, dtype=np.float64)
    papers, reviewers = scores.shape
    paper_pos = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    reviewer_pos = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    allowed = np.ones(scores.shape, dtype=bool)
    for p, r in programme.rules.forbidden:
        allowed[paper_pos[p], reviewer_pos[r]] = False
    p_idx, r_idx = np.nonzero(allowed)
    n = len(p_idx)
    cells = np.arange(n)
    per_paper = sp.csr_array((np.ones(n), (p_idx, cells)), shape=(papers, n))
    per_reviewer = sp.csr_array((np.ones(n), (r_idx, cells)), shape=(reviewers, n))
    senior = np.array([e.sector == "senior" for e in programme.right.enterprises])
    on_senior = senior[r_idx]
    seniors = sp.csr_array(
        (np.ones(int(on_senior.sum())), (p_idx[on_senior], cells[on_senior])), shape=(papers, n)
    )
    constraints = [
        LinearConstraint(per_paper, PER_PAPER, PER_PAPER),
        LinearConstraint(per_reviewer, 0, LOAD),
        LinearConstraint(seniors, 1, np.inf),
    ]
    out = milp(-scores[p_idx, r_idx], constraints=constraints, integrality=np.ones(n),
               bounds=Bounds(0, 1), options={"time_limit": time_limit, "mip_rel_gap": 0.0})
    if out.x is None:
        return out.message, float("nan")
    status = "optimal" if out.status == 0 else "feasible"
    return status, float(scores[p_idx, r_idx] @ np.round(out.x))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", type=int)
    parser.add_argument("reviewers", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=600.0)
    args = parser.parse_args()
    programme = reviewer_programme(args.papers, args.reviewers, args.seed)

    started = time.perf_counter()
    status, plain_total = plain_highs(programme, args.time_limit)
    plain_s = time.perf_counter() - started

    started = time.perf_counter()
    result = pairing.solve(programme, time_limit=args.time_limit)
    ours_s = time.perf_counter() - started
    ours_total = sum(p.score for p in result.pairs)

    print(f"{args.papers} x {args.reviewers}, k = {PER_PAPER}, >= 1 senior reviewer per paper")
    print(f"  plain-highs  {status:8}  total {plain_total:.6f}  {plain_s:8.2f} s  1.00x")
    print(f"  pairing      {result.status:8}  total {ours_total:.6f}  {ours_s:8.2f} s  "
          f"{ours_s / plain_s:.3g}x  ({result.solver.name})")
    both_optimal = status == "optimal" and result.status == "optimal"
    if both_optimal and abs(plain_total - ours_total) > 1e-6 * max(1.0, abs(plain_total)):
        print("  the optima differ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
