"""Optional dependencies: the one place that turns a missing extra into a clear error.

pairing's core needs NumPy, SciPy, the solvers, pydantic and click. Charts (``report``), sweeps
on Dask (``sweep``) and Excel workbooks (``xlsx``) are extras (``pip install pairing[all]``).
Code that uses one calls :func:`require` right before its deferred import.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from pairing.errors import MissingExtra

__all__ = ["EXTRAS", "require"]

#: Extra → the top-level modules it provides (as in ``pyproject.toml``).
EXTRAS: dict[str, tuple[str, ...]] = {
    "report": ("matplotlib",),
    "sweep": ("dask", "distributed", "pyarrow", "pandas"),
    "xlsx": ("openpyxl",),
}


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise :class:`~pairing.errors.MissingExtra` naming ``extra``.

    >>> require("openpyxl", "xlsx")  # doctest: +SKIP
    <module 'openpyxl' ...>
    """
    try:
        return import_module(module)
    except ImportError as exc:
        raise MissingExtra(module, extra) from exc
