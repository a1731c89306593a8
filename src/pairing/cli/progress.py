"""Live status on stderr for long jobs, shown only when stderr is a terminal.

Solving a large programme, re-solving after withdrawals or rendering a report can take a while;
a spinner with what is happening tells a person at a terminal that the job is alive. In a pipe,
a log file or a test, nothing is printed (the design: quiet when not on a terminal). The library
never prints: this lives in the CLI layer only.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["status"]


@contextmanager
def status(message: str) -> Iterator[Callable[[str], None]]:
    """Show ``message`` with a spinner on stderr while the block runs.

    Yields an ``update(text)`` function: the spinner then shows ``message — text`` and the
    seconds elapsed (a solver's phase or the level it reached).

    Parameters
    ----------
    message
        What is being done ("solving 2000×2000 with milp").
    """
    if not sys.stderr.isatty():
        yield lambda text: None
        return
    from rich.console import Console  # on a terminal only: a pipe or a script skips rich

    console = Console(stderr=True)
    started = time.perf_counter()
    with console.status(f"[bold]{message}[/bold]", spinner="dots") as live:

        def update(text: str) -> None:
            elapsed = time.perf_counter() - started
            live.update(f"[bold]{message}[/bold] — {text} ({elapsed:.0f} s)")

        yield update
