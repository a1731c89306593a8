"""Read a sweep file (TOML): the programme to sweep over and the grid of values.

.. code-block:: toml

    programme = "double-hundred.json"   # a programme JSON or a bundle folder; relative to this file
    [grid]
    objective = ["total", "balanced"]
    "weights.sector" = [0.0, 0.5, 1.0]  # or, unquoted, the same dotted key
    seed = [0, 1]
    "quota.left.sector.textiles.max" = [10, 20]

Everything is checked before any job runs, and every problem is reported at once in one
:class:`~pairing.errors.InvalidProgramme` naming the file and the key.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pairing.errors import InvalidProgramme, Issue
from pairing.io.files import read_text
from pairing.io.limits import unreadable_toml
from pairing.model.programme import Programme
from pairing.sweeps.grid import Job, Target, Value, grid_issues, jobs_from_axes

__all__ = ["SWEEP_KEYS", "SweepFile", "load_sweep_file"]

#: Top-level keys of a sweep file.
SWEEP_KEYS: tuple[str, ...] = ("programme", "grid", "name", "description")


@dataclass(frozen=True)
class SweepFile:
    """A checked sweep file.

    Attributes
    ----------
    path
        The sweep file.
    programme_path
        The programme it names, resolved against the sweep file's folder.
    programme
        That programme, loaded and validated.
    grid
        Key → checked values, keys as written (dotted), in the file's order.
    targets
        What each key changes, in grid order.
    jobs
        The grid's cartesian product (see :func:`pairing.sweeps.grid.expand_grid`).
    """

    path: Path
    programme_path: Path
    programme: Programme
    grid: dict[str, list[Value]]
    targets: tuple[Target, ...]
    jobs: list[Job]


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, list[Issue]]:
    text, issues = read_text(path, "sweep file (TOML)")
    if text is None:
        return None, issues
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [Issue(str(path), f"not valid TOML: {exc}")]
    except (RecursionError, ValueError) as exc:
        return None, [Issue(str(path), unreadable_toml(exc))]


def _programme(
    path: Path, data: dict[str, Any], issues: list[Issue]
) -> tuple[Path, Programme | None]:
    where = f"{path}, key 'programme'"
    value = data.get("programme")
    if value is None:
        issues.append(
            Issue(where, 'missing; name the programme to sweep, e.g. programme = "programme.json"')
        )
        return path, None
    if not isinstance(value, str) or not value.strip():
        issues.append(
            Issue(where, f"expected a path to a programme JSON or bundle folder, got {value!r}")
        )
        return path, None
    programme_path = Path(value).expanduser()
    if not programme_path.is_absolute():
        programme_path = path.parent / programme_path
    if not programme_path.exists():
        issues.append(
            Issue(
                where,
                f"{value!r} ({programme_path}) does not exist; paths are read from the "
                "sweep file's folder",
            )
        )
        return programme_path, None
    from pairing.io import load

    try:
        return programme_path, load(programme_path)
    except InvalidProgramme as exc:
        issues.extend(exc.issues)
        return programme_path, None


def load_sweep_file(path: str | Path) -> SweepFile:
    """Read and check a sweep file, and load the programme it names.

    Parameters
    ----------
    path
        The sweep file (TOML) with ``programme = "PATH"`` and a ``[grid]`` table.

    Returns
    -------
    SweepFile
        The programme, the checked grid and its jobs.

    Raises
    ------
    InvalidProgramme
        Every problem at once: unreadable TOML, unknown top-level keys, a missing or invalid
        programme, a missing or empty grid, unknown grid keys, bad or repeated values, empty
        lists, quota indexes out of range or ambiguous quota names.
    """
    path = Path(path)
    data, issues = _read_toml(path)
    if data is None:
        raise InvalidProgramme(issues, source=str(path))
    for key in data:
        if key not in SWEEP_KEYS:
            close = difflib.get_close_matches(key, SWEEP_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(SWEEP_KEYS)
            issues.append(
                Issue(f"{path}, key {key!r}", f"unknown key; expected one of: {known}{hint}")
            )
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            issues.append(Issue(f"{path}, key {key!r}", f"expected text, got {data[key]!r}"))
    programme_path, programme = _programme(path, data, issues)
    grid = data.get("grid")
    axes: list[Any] = []
    if grid is None:
        issues.append(Issue(f"{path}, [grid]", "missing; add a [grid] table of key = [values]"))
    else:
        found, axes = grid_issues(programme, grid, where=f"{path}, [grid]")
        issues.extend(found)
    if issues or programme is None:
        raise InvalidProgramme(issues, source=str(path))
    return SweepFile(
        path=path,
        programme_path=programme_path,
        programme=programme,
        grid={target.key: list(values) for target, values in axes},
        targets=tuple(target for target, _ in axes),
        jobs=jobs_from_axes(axes),
    )
