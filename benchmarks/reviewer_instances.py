"""Write a reviewer-assignment bundle: papers × reviewers, the openreview-matcher setting.

``python benchmarks/reviewer_instances.py PAPERS REVIEWERS FOLDER [--seed S]`` writes
``left.csv`` (papers, exactly 3 reviewers each), ``right.csv`` (reviewers, 0..3 papers; every
third one senior — the ``sector`` column holds the seniority), ``scores.csv`` (cosine similarity
of random 20-topic interest vectors, rounded to 3 decimals), and ``rules.toml`` (conflicts of
interest as forbidden pairs — 1 % of pairs — and a partner quota: each paper has at least one
senior reviewer). The shipped ``instances/reviewer-assignment`` is ``60 90``.
"""

from __future__ import annotations

import argparse

import numpy as np

import pairing
from pairing.io.writers import write_bundle


def reviewer_programme(papers: int, reviewers: int, seed: int = 0) -> pairing.Programme:
    """Papers × reviewers with topic-vector affinities, conflicts and a senior-reviewer rule."""
    rng = np.random.default_rng(seed)
    topics_p = rng.dirichlet(np.full(20, 0.3), papers)
    topics_r = rng.dirichlet(np.full(20, 0.3), reviewers)
    norm = np.linalg.norm(topics_p, axis=1)[:, None] * np.linalg.norm(topics_r, axis=1)[None, :]
    scores = np.round(topics_p @ topics_r.T / norm, 3)
    conflicts = np.argwhere(rng.random((papers, reviewers)) < 0.01)
    paper_ids = [f"P{i:04d}" for i in range(papers)]
    reviewer_ids = [f"R{j:04d}" for j in range(reviewers)]
    left = pairing.Side(label="paper", enterprises=[
        pairing.Enterprise(id=i, sector="paper", capacity=pairing.Capacity(min=3, max=3))
        for i in paper_ids
    ])
    right = pairing.Side(label="reviewer", enterprises=[
        pairing.Enterprise(id=r, sector="senior" if k % 3 == 0 else "junior",
                           capacity=pairing.Capacity(min=0, max=3))
        for k, r in enumerate(reviewer_ids)
    ])
    rules = pairing.Rules(
        forbidden=[(paper_ids[i], reviewer_ids[j]) for i, j in conflicts],
        partner_quotas=[pairing.PartnerQuota(side="left", by="sector", group="senior", min=1)],
    )
    return pairing.Programme(name=f"reviewer assignment {papers}x{reviewers}", left=left,
                             right=right, rules=rules, scores=scores)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", type=int)
    parser.add_argument("reviewers", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_bundle(reviewer_programme(args.papers, args.reviewers, args.seed), args.folder)
