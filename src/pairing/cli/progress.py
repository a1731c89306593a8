"""Live status on stderr for long jobs, shown only when stderr is a terminal.

Solving a large programme, re-solving after withdrawals or rendering a report can take a while;
a spinner with what is happening tells a person at a terminal that the job is alive. In a pipe,
a log file or a test, nothing is printed (the design: quiet when not on a terminal). The library
never prints: this lives in the CLI layer only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

__all__ = ["status"]


@contextmanager
def status(message: str) -> Iterator[None]:
    """Show ``message`` with a spinner and the elapsed time on stderr while the block runs.

    Parameters
    ----------
    message
        What is being done ("solving 2000×2000 with milp").
    """
    if not sys.stderr.isatty():
        yield
        return
    console = Console(stderr=True)
    with console.status(f"[bold]{message}[/bold]", spinner="dots"):
        yield
