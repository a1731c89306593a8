"""The one exception hierarchy of pairing.

Every error a user can cause or meet derives from :class:`PairingError`, so a backend can catch
the whole family in one ``except`` clause. Each class carries the one map from outcome to
report: ``status``, the word a result row records (sweeps, the benchmark, ``compare``), and
``exit_code``, the CLI's exit code (``InvalidProgramme`` → 2, ``Infeasible`` → 1,
``SolverTimeout`` → 3, a bug → 4). Nothing else re-derives them.

Input errors carry *every* problem found, as :class:`Issue` records naming where it is (file,
row, field or rule), what was expected and what to try, so a programme manager fixes the
spreadsheet once rather than once per problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INFEASIBLE",
    "EXIT_INTERNAL",
    "EXIT_TIMEOUT",
    "CheckFailed",
    "HeuristicFailed",
    "Infeasible",
    "InvalidArgument",
    "InvalidProgramme",
    "Issue",
    "MissingExtra",
    "OutputError",
    "PairingError",
    "PairingWarning",
    "SolverError",
    "SolverTimeout",
    "UnsupportedProblem",
]


#: Exit codes of the command line (see DESIGN: 0 success, 1 infeasible, 2 bad input or usage,
#: 3 time limit with no matching); 4 is a bug or a library failure.
EXIT_INFEASIBLE = 1
EXIT_BAD_INPUT = 2
EXIT_TIMEOUT = 3
EXIT_INTERNAL = 4


@dataclass(frozen=True)
class Issue:
    """One problem found in the input, with where it is and what to do about it.

    Parameters
    ----------
    where
        A location a person can find: ``"left.csv, row 7, field 'capacity_max'"``,
        ``"rules.toml, [[quota]] #2"``, ``"programme.json: left.enterprises[3].id"``.
    message
        What was expected, what was found and, where it helps, what to try.
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class PairingError(Exception):
    """Base class of every error raised by pairing.

    ``status`` is what a row of a sweep, a benchmark or a comparison records for this error;
    ``exit_code`` is the command line's exit code. Subclasses set both.
    """

    status: ClassVar[str] = "error"
    exit_code: ClassVar[int] = EXIT_INTERNAL


class InvalidProgramme(PairingError, ValueError):
    """The input (programme, bundle, score matrix, rules or options) is not valid.

    ``issues`` lists every problem found, not only the first.
    """

    status: ClassVar[str] = "invalid"
    exit_code: ClassVar[int] = EXIT_BAD_INPUT

    def __init__(self, issues: Iterable[Issue] | str, *, source: str | None = None) -> None:
        if isinstance(issues, str):
            issues = [Issue("", issues)]
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"invalid input{f' in {self.source}' if self.source else ''}"
        if len(self.issues) == 1:
            return f"{head}: {self.issues[0]}"
        lines = [f"{head}: {len(self.issues)} problems"]
        lines += [f"  - {issue}" for issue in self.issues]
        return "\n".join(lines)


class InvalidArgument(InvalidProgramme, TypeError):
    """A public function was called with an argument of the wrong kind (``solve(None)``,
    ``time_limit="5"``); the message says what was expected. Also a ``TypeError``.
    """

    def __init__(self, message: str) -> None:
        super().__init__([Issue("", message)])


class OutputError(PairingError):
    """An output cannot be written where asked, and nothing was changed there.

    The target is a folder, a socket, one of the command's inputs, an existing bundle without
    ``--force``, or the operating system refused (permission, read-only, disk full); the message
    names the file and the reason. The CLI exits 2.
    """

    exit_code: ClassVar[int] = EXIT_BAD_INPUT


class MissingExtra(PairingError, ImportError):
    """A feature needs a library that is an optional extra of pairing, and it is not installed.

    The message is one line naming the extra to install (``install pairing[sweep]``); the CLI
    exits 2. Also an ``ImportError``, so code that probes for optional packages still works.
    """

    exit_code: ClassVar[int] = EXIT_BAD_INPUT

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(f"{module} is not installed: install pairing[{extra}]")


class PairingWarning(UserWarning):
    """Something in the input was read but deserves a look (e.g. a hidden workbook sheet)."""


class Infeasible(PairingError):
    """No matching satisfies the rules.

    ``reasons`` explains which rules conflict, naming each, with a witness where one is known
    (e.g. "quota sector=AI min 12 but only 9 AI enterprises have an allowed partner").
    """

    status: ClassVar[str] = "infeasible"
    exit_code: ClassVar[int] = EXIT_INFEASIBLE

    def __init__(self, reasons: Sequence[str] | str) -> None:
        if isinstance(reasons, str):
            reasons = [reasons]
        self.reasons: tuple[str, ...] = tuple(reasons)
        text = "no matching satisfies the rules"
        if self.reasons:
            text += ":\n" + "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(text)


class SolverTimeout(PairingError):
    """The time limit was reached before any feasible matching was found."""

    status: ClassVar[str] = "time_limit"
    exit_code: ClassVar[int] = EXIT_TIMEOUT


class UnsupportedProblem(PairingError, ValueError):
    """The chosen solver or objective cannot express this programme's rules."""

    status: ClassVar[str] = "unsupported"
    exit_code: ClassVar[int] = EXIT_BAD_INPUT


class SolverError(PairingError):
    """A solver failed in a way that is not the input's fault (a bug or a library failure)."""


class HeuristicFailed(SolverError):
    """A heuristic solver found no matching that meets every rule.

    Unlike :class:`Infeasible` this proves nothing: an exact solver may still find one.
    """

    exit_code: ClassVar[int] = EXIT_INFEASIBLE


class CheckFailed(PairingError):
    """A result violates the programme's rules; ``violations`` lists every one found."""

    exit_code: ClassVar[int] = EXIT_INFEASIBLE

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations: tuple[str, ...] = tuple(violations)
        lines = [f"result violates the programme: {len(self.violations)} problem(s)"]
        lines += [f"  - {v}" for v in self.violations]
        super().__init__("\n".join(lines))
