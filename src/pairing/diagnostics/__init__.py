"""What a matching is worth and whether it is allowed, independent of how it was found.

- :mod:`pairing.diagnostics.check`: the independent validator (:func:`pairing.check`).
- :mod:`pairing.diagnostics.stability`: blocking pairs.
- :mod:`pairing.diagnostics.metrics`, :mod:`pairing.diagnostics.sector_fairness`: fairness metrics.
- :mod:`pairing.diagnostics.feasibility`, :mod:`pairing.diagnostics.conflicts`: why a programme
  has no matching (counting arguments, then the rules in conflict).
"""
