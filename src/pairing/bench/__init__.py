"""Benchmarks: compare solver variants side by side on a grid of instances.

``pairing bench`` is the command line of this package; the library pieces are:

- :mod:`~pairing.bench.grid`: the built-in grids (``quick``, ``standard``, ``full``) and TOML
  grid files;
- :mod:`~pairing.bench.instances`: building each case's instance, reproducibly;
- :mod:`~pairing.bench.contenders`: what a cell runs (registry solvers through
  ``pairing.solve``, raw kernels, references);
- :mod:`~pairing.bench.measure`: wall time and peak memory of one call;
- :mod:`~pairing.bench.runner`: one fresh process per (instance, solver) cell, with budgets;
- :mod:`~pairing.bench.aggregate`: medians, spread and ratios to the baseline;
- :mod:`~pairing.bench.report`: ``results.json``, ``results.md`` and ``chart.png``.

>>> from pairing.bench import builtin_grid, run_grid, write_outputs   # doctest: +SKIP
>>> run = run_grid(builtin_grid("quick"))                              # doctest: +SKIP
>>> write_outputs(run, Path("out/bench"))                              # doctest: +SKIP
"""

from pairing.bench.aggregate import Row, Spread, ratio, spread, summarise
from pairing.bench.grid import FAMILIES, GRIDS, Case, Grid, builtin_grid, load_grid
from pairing.bench.report import headlines, markdown, write_outputs
from pairing.bench.runner import BenchRun, run_grid

__all__ = [
    "FAMILIES",
    "GRIDS",
    "BenchRun",
    "Case",
    "Grid",
    "Row",
    "Spread",
    "builtin_grid",
    "headlines",
    "load_grid",
    "markdown",
    "ratio",
    "run_grid",
    "spread",
    "summarise",
    "write_outputs",
]
