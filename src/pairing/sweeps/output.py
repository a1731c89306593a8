"""Write sweep rows as they complete, and pick up where an interrupted sweep stopped.

Formats, chosen by the output's suffix:

- ``.csv``: the file itself is the journal. Every row is appended and flushed as its job
  completes, so a crash or Ctrl-C loses at most the row being written (a torn last line is
  dropped on ``resume``). Rows are in completion order; sort by ``job`` for grid order.
- ``.parquet`` (or ``.pq``): rows are appended and flushed to a CSV journal next to it,
  ``NAME.parquet.journal.csv``; when every job has a row, the Parquet file (typed columns,
  sorted by ``job``) is written to a temporary file, renamed over the output in one step, and
  the journal is removed. An interrupted sweep leaves the journal for ``resume``.

Resume reads the existing rows, checks that they come from the same sweep (same columns; each
row's job id exists and its parameters equal that job's), keeps one row per job and drops the
rows of jobs marked ``killed`` (they run again), rewrites the journal atomically with the kept
rows, and appends from there. Without ``resume`` an existing output is never overwritten.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from pairing.errors import InvalidProgramme, Issue, OutputError
from pairing.extras import require
from pairing.io.atomic import atomic_path
from pairing.io.cells import neutralise_row, restore_row
from pairing.sweeps.grid import Job, Target
from pairing.sweeps.job import RESULT_COLUMNS

__all__ = ["PARQUET_SUFFIXES", "ResultsFile", "column_types", "format_cell"]

PARQUET_SUFFIXES = (".parquet", ".pq")
_CSV_SUFFIXES = (".csv",)
_JOURNAL_SUFFIX = ".journal.csv"
_RERUN_STATUSES = ("killed",)
_MAX_LISTED = 20
_RESULT_TYPES: dict[str, str] = {
    "status": "str",
    "error": "str",
    "objective_value": "float",
    "pairs": "int",
    "total_score": "float",
    "mean_score": "float",
    "min_gain_left": "float",
    "mean_gain_left": "float",
    "min_gain_right": "float",
    "mean_gain_right": "float",
    "gini": "float",
    "blocking_pairs": "int",
    "runtime_s": "float",
    "solved_by": "str",
    "worker": "str",
}
_NONE_PARAM = "none"


def column_types(targets: Sequence[Target]) -> dict[str, str]:
    """Every column of a sweep's output, in order, with its type (``str``, ``int``, ``float``)."""
    return {
        "job": "int",
        **{t.key: t.value_type for t in targets},
        **{c: _RESULT_TYPES[c] for c in RESULT_COLUMNS},
    }


def format_cell(value: Any, *, param: bool = False) -> str:
    """A value as written to CSV; parameters' None reads ``none``, results' None is empty.

    Floats use ``repr`` so that they read back exactly (resume compares parameters as text).
    """
    if value is None:
        return _NONE_PARAM if param else ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse_cell(text: str, kind: str, *, param: bool) -> Any:
    if text == "" or (param and text == _NONE_PARAM):
        return None
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    return text


def _write_atomic(path: Path, write: Any) -> None:
    """Write a file through a temporary file in its folder, then rename it into place."""
    with atomic_path(path) as temp:
        write(temp)


def _check_writable(path: Path) -> None:
    """Fail before any job runs if the output's folder cannot be created or written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot create its folder: {exc.strerror or exc}"
        raise InvalidProgramme([Issue(str(path), message)]) from None
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK) or path.is_dir():
        raise InvalidProgramme([Issue(str(path), "not writable; choose another output")])


class ResultsFile:
    """The output of a sweep: append-only rows, resumable, CSV or Parquet.

    Parameters
    ----------
    path
        ``results.csv`` or ``results.parquet``.
    targets
        The grid's keys (their columns follow ``job``).
    jobs
        Every job of the sweep (to check resumed rows against).
    resume
        Keep the rows already written and report their jobs as :attr:`done`; otherwise an
        existing output (or journal) is an error rather than being overwritten.

    Raises
    ------
    InvalidProgramme
        Unknown suffix; the output exists and ``resume`` is false; or the existing rows do not
        belong to this sweep (every mismatch listed).
    """

    def __init__(
        self, path: str | Path, targets: Sequence[Target], jobs: Sequence[Job], *, resume: bool
    ) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (*_CSV_SUFFIXES, *PARQUET_SUFFIXES):
            message = (
                f"expected a .csv or .parquet output file, got {self.path.suffix or 'no suffix'!r}"
            )
            raise InvalidProgramme([Issue(str(self.path), message)])
        self.parquet = suffix in PARQUET_SUFFIXES
        self.journal = (
            self.path.with_name(self.path.name + _JOURNAL_SUFFIX) if self.parquet else self.path
        )
        self.types = column_types(targets)
        self.columns = tuple(self.types)
        self._params = tuple(t.key for t in targets)
        self._kept: list[list[str]] = []
        self._handle: IO[bytes] | None = None
        existing = [p for p in dict.fromkeys((self.journal, self.path)) if p.exists()]
        if existing and not resume:
            message = (
                "already exists; pass --resume (resume=True) to continue that sweep, "
                "or remove it / choose another output"
            )
            raise InvalidProgramme([Issue(str(p), message) for p in existing])
        if resume:
            self._kept = self._read_existing(jobs)
        _check_writable(self.journal)

    @property
    def done(self) -> set[int]:
        """Ids of the jobs that already have a row (not run again)."""
        return {int(row[0]) for row in self._kept}

    @property
    def done_statuses(self) -> Counter[str]:
        """How many of the rows already written have each status."""
        at = self.columns.index("status")
        return Counter(row[at] for row in self._kept)

    def _read_existing(self, jobs: Sequence[Job]) -> list[list[str]]:
        if self.journal.exists():
            text = self.journal.read_text(encoding="utf-8")
            if text and not text.endswith("\n"):
                text = text[: text.rfind("\n") + 1]  # a row torn by a crash mid-write
            records = [restore_row(r) for r in csv.reader(io.StringIO(text))]
            source = self.journal
        elif self.path.exists():  # a finished Parquet output
            records = self._parquet_records()
            source = self.path
        else:
            return []
        if not records:
            return []
        header, rows = records[0], records[1:]
        if tuple(header) != self.columns:
            message = (
                f"its columns ({', '.join(header)}) are not this sweep's "
                f"({', '.join(self.columns)}): it was written by another sweep; "
                "choose another output or remove it"
            )
            raise InvalidProgramme([Issue(str(source), message)])
        return self._check_rows(source, rows, jobs)

    def _parquet_records(self) -> list[list[str]]:
        require("pyarrow", "sweep")
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(self.path)
        except Exception as exc:
            message = f"cannot read it as Parquet ({exc}); remove it or choose another output"
            raise InvalidProgramme([Issue(str(self.path), message)]) from None
        params = set(self._params)
        records = [list(table.column_names)]
        for row in table.to_pylist():
            records.append([format_cell(row[c], param=c in params) for c in table.column_names])
        return records

    def _check_rows(
        self, source: Path, rows: list[list[str]], jobs: Sequence[Job]
    ) -> list[list[str]]:
        by_id = {job.id: job for job in jobs}
        status_at = self.columns.index("status")
        issues: list[Issue] = []
        kept: dict[int, list[str]] = {}
        for number, row in enumerate(rows, start=2):
            where = f"{source}, row {number}"
            if len(row) != len(self.columns):
                issues.append(Issue(where, f"expected {len(self.columns)} cells, found {len(row)}"))
                continue
            job = by_id.get(int(row[0])) if row[0].isdigit() else None
            if job is None:
                issues.append(
                    Issue(where, f"job {row[0]!r} is not a job of this sweep (0..{len(jobs) - 1})")
                )
                continue
            expected = [format_cell(job.params[key], param=True) for key in self._params]
            found = row[1 : 1 + len(self._params)]
            if found != expected:
                diff = ", ".join(
                    f"{key}={got!r} (this sweep: {want!r})"
                    for key, got, want in zip(self._params, found, expected, strict=True)
                    if got != want
                )
                issues.append(Issue(where, f"job {job.id} has other parameters: {diff}"))
                continue
            if row[status_at] not in _RERUN_STATUSES:
                kept.setdefault(job.id, row)
        if issues:
            if len(issues) > _MAX_LISTED:
                more = len(issues) - _MAX_LISTED
                issues = [*issues[:_MAX_LISTED], Issue(str(source), f"... and {more} more")]
            issues.append(
                Issue(
                    str(source),
                    "these rows are not from this sweep file; choose another output or remove it",
                )
            )
            raise InvalidProgramme(issues)
        return list(kept.values())

    def _write_journal(self, records: Iterable[Sequence[str]], path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(self.columns)
            writer.writerows(neutralise_row(r) for r in records)

    def open(self) -> None:
        """Write the journal's header and kept rows (atomically), then open it for appending.

        Called on the first row (or at the end of a sweep with nothing left to run), so a sweep
        that fails before any job completes leaves no new file behind.
        """
        _write_atomic(self.journal, lambda tmp: self._write_journal(self._kept, tmp))
        try:
            self._handle = self.journal.open("ab", buffering=0)
        except OSError as exc:
            msg = f"{self.journal}: cannot append: {exc.strerror or exc}"
            raise OutputError(msg) from None

    def append(self, row: dict[str, Any]) -> None:
        """Append one row to the operating system in one write, or none of it.

        A failed write (a full disk) is cut back to the end of the previous row, so the file
        never holds a torn row, and reported as an :class:`~pairing.errors.OutputError`.
        """
        if self._handle is None:
            self.open()
        assert self._handle is not None
        params = set(self._params)
        buffer = io.StringIO()
        cells = [format_cell(row.get(c), param=c in params) for c in self.columns]
        csv.writer(buffer, lineterminator="\n").writerow(neutralise_row(cells))
        data = buffer.getvalue().encode("utf-8")
        fd = self._handle.fileno()
        start = os.fstat(fd).st_size
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            message = (
                f"{self.journal}: cannot write: {exc.strerror or exc}; the rows so far are kept "
                "— free some space, then continue with --resume"
            )
            raise OutputError(message) from None

    def close(self, *, complete: bool) -> None:
        """Close the journal; for Parquet, when ``complete``, write the final file from it.

        Parameters
        ----------
        complete
            Every job has a row. An incomplete Parquet sweep keeps only its journal.
        """
        if self._handle is None and (complete or self.journal.exists()):
            self.open()  # e.g. a resumed sweep with nothing left to run
        if self._handle is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
        if self.parquet and complete:
            _write_atomic(self.path, self._write_parquet)
            self.journal.unlink()

    def _write_parquet(self, path: Path) -> None:
        require("pyarrow", "sweep")
        import pyarrow as pa
        import pyarrow.parquet as pq

        with self.journal.open(encoding="utf-8", newline="") as handle:
            records = [restore_row(r) for r in csv.reader(handle)][1:]
        records.sort(key=lambda r: int(r[0]))
        params = set(self._params)
        arrow_types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}
        arrays = []
        for k, (column, kind) in enumerate(self.types.items()):
            values = [_parse_cell(r[k], kind, param=column in params) for r in records]
            values = [None if isinstance(v, float) and math.isnan(v) else v for v in values]
            arrays.append(pa.array(values, type=arrow_types[kind]))
        pq.write_table(pa.Table.from_arrays(arrays, names=list(self.columns)), path)
