"""What every command shares: errors → messages and exit codes, output paths.

Exit codes (design): 0 success; 1 infeasible; 2 bad input or usage (an unwritable output too);
3 time limit reached with no feasible solution; 130/143 stopped by Ctrl-C/SIGTERM. Messages go
to stderr, results to stdout or ``-o``. No tracebacks: an
unexpected failure prints one line and asks for a bug report (set ``PAIRING_DEBUG=1`` to see
the traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

import click

from pairing.cli.signals import handle_signals
from pairing.errors import (
    EXIT_BAD_INPUT,
    EXIT_INFEASIBLE,
    EXIT_INTERNAL,
    EXIT_TIMEOUT,
    Infeasible,
    PairingError,
)
from pairing.io.atomic import remove_pending

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INFEASIBLE",
    "EXIT_TIMEOUT",
    "OUTPUT_PATH",
    "OutputPath",
    "PairingGroup",
    "fail",
]

class OutputPath(click.Path):
    """A path to write to (``-o``): an empty one is refused by name, where click would read it
    as the current folder; the target itself is checked by :func:`pairing.io.atomic.check_target`.
    """

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("the output path is empty; give a file name", param, ctx)
        return super().convert(value, param, ctx)


#: The type of every command's output option.
OUTPUT_PATH = OutputPath()


def fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _show_warning(message: Warning | str, *args: object, **kwargs: object) -> None:
    click.echo(f"warning: {message}", err=True)


class PairingGroup(click.Group):
    """A click group that turns pairing's exceptions into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with handle_signals(), warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except PairingError as exc:
            prefix = "error" if not isinstance(exc, Infeasible) else "infeasible"
            fail(f"{prefix}: {exc}", exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt as exc:
            remove_pending()
            fail("interrupted", getattr(exc, "exit_code", 130))
        except MemoryError:
            fail(
                "error: out of memory; try a smaller programme or a sparser score matrix",
                EXIT_INTERNAL,
            )
        except Exception as exc:
            if os.environ.get("PAIRING_DEBUG"):
                traceback.print_exc()
            fail(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in pairing; please report it with the command you ran "
                "(PAIRING_DEBUG=1 shows the traceback).",
                EXIT_INTERNAL,
            )
        return None
