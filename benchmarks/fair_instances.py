"""Write the fair-objective benchmark programmes: the shipped brief's rules at other sizes.

``python benchmarks/fair_instances.py N FOLDER`` writes a double-hundred N×N bundle with the
brief's rules scaled to N (capacities CN 1..3, PK 0..2; AI ≥ 12·N/100 pairs, textiles ≤ 65 %
of the PK textile firms — as 15 of 23 in the brief — Beijing ≤ 1.5 × the Beijing firms,
robotics×textiles ≥ 4·N/100; min_score 0.2; one forbidden pair and one required pair, the
second CN firm with its best partner), the programmes behind the README's fairness timings.
"""

from __future__ import annotations

import sys

import pairing
from pairing.generator import generate
from pairing.io.writers import write_bundle


def scaled_rules_programme(n: int, seed: int = 2023) -> pairing.Programme:
    """The double-hundred profile at n × n with the brief's rules, scaled by n / 100."""
    base = generate(n, n, seed=seed, profile="double-hundred")

    def capacity(side: pairing.Side, low: int, high: int) -> pairing.Side:
        enterprises = [
            e.model_copy(update={"capacity": pairing.Capacity(min=low, max=high)})
            for e in side.enterprises
        ]
        return side.model_copy(update={"enterprises": enterprises})

    k = n / 100
    left, right = capacity(base.left, 1, 3), capacity(base.right, 0, 2)
    textiles = sum(e.sector == "textiles" for e in right.enterprises)
    beijing = sum(e.region == "Beijing" for e in left.enterprises)
    scores = pairing.score_matrix(base).score
    partner = int(scores[1].argmax())
    rules = pairing.Rules(
        min_score=0.2,
        quotas=[
            pairing.Quota(side="left", by="sector", group="AI", min=round(12 * k)),
            pairing.Quota(side="right", by="sector", group="textiles", max=round(0.65 * textiles)),
            pairing.Quota(side="left", by="region", group="Beijing", max=round(1.5 * beijing)),
        ],
        pair_quotas=[pairing.PairQuota(left_sector="robotics", right_sector="textiles",
                                       min=round(4 * k))],
        forbidden=[(left.enterprises[0].id, right.enterprises[16].id)],
        required=[(left.enterprises[1].id, right.enterprises[partner].id)],
    )
    return base.model_copy(update={"left": left, "right": right, "rules": rules,
                                   "name": f"double-hundred {n}x{n} with the brief's rules"})


if __name__ == "__main__":
    size, folder = int(sys.argv[1]), sys.argv[2]
    write_bundle(scaled_rules_programme(size), folder)
