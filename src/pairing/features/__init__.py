"""Turn enterprises into matrices: the tag vocabulary, capability/need matrices, gains and scores.

This is the encoder layer: everything downstream (solvers, validator, metrics) works on the
NumPy matrices built here, never on the enterprises' dictionaries.
"""

from pairing.features.reasons import pair_reasons
from pairing.features.scoring import ScoreMatrices, score_matrix
from pairing.features.vocabulary import Vocabulary, build_vocabulary, level_matrix

__all__ = [
    "ScoreMatrices",
    "Vocabulary",
    "build_vocabulary",
    "level_matrix",
    "pair_reasons",
    "score_matrix",
]
