"""The pipeline: compile a programme into a :class:`~pairing.core.problem.Problem`, solve, assemble.

- :mod:`pairing.core.problem`: the programme compiled to matrices and masks (what solvers read).
- :mod:`pairing.core.prepare`: the matrices and the problem of a programme, computed once.
- :mod:`pairing.core.objectives`: gains per enterprise, objective values, who counts.
- :mod:`pairing.core.solve`: :func:`pairing.solve`, the one pipeline from programme to result.
- :mod:`pairing.core.hashing`, :mod:`pairing.core.arguments`: input hash, argument checks.
"""
