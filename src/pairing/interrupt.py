"""Stopping a solve on request: one cancellation object that the native solvers poll.

A Python signal handler runs only between bytecodes of the main thread, so Ctrl-C alone cannot
stop HiGHS or CP-SAT while they work in C++. Instead a request to stop (from the CLI's signal
handlers, or from any thread of a backend) sets :data:`CANCEL`:

- HiGHS polls it from its interrupt callbacks (simplex, IPM and branch and bound) and stops;
- CP-SAT registers ``StopSearch`` as a hook that runs the moment the request arrives;
- when the solver returns, :meth:`Cancellation.raise_if_requested` raises :class:`Interrupted`,
  so a stopped solve never passes for a finished one and no result is written.

While a solver runs inside :meth:`Cancellation.native`, the CLI's handler only records the
request (raising inside a solver callback would unwind through C++); everywhere else it raises
:class:`Interrupted` at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

__all__ = ["CANCEL", "Cancellation", "Interrupted"]


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C is SIGINT, ``kill`` is SIGTERM) or a request.

    A ``KeyboardInterrupt``, so code that already handles Ctrl-C handles SIGTERM too.
    ``exit_code`` is the shell's convention, 128 + the signal number (130, 143).
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        self.signum = int(signum)
        self.exit_code = 128 + self.signum
        try:
            name = signal.Signals(self.signum).name
        except ValueError:
            name = f"signal {self.signum}"
        super().__init__(f"interrupted ({name})")


class Cancellation:
    """A request to stop, set from a signal handler or another thread, polled by solvers."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._signum = int(signal.SIGINT)
        self._hooks: list[Callable[[], None]] = []
        self._native = 0

    def request(self, signum: int = signal.SIGINT) -> None:
        """Ask every running solve to stop; safe from a signal handler or any thread."""
        with self._lock:
            if not self._event.is_set():
                self._signum = int(signum)
            self._event.set()
            hooks = list(self._hooks)
        for hook in hooks:
            with contextlib.suppress(Exception):
                hook()

    def requested(self) -> bool:
        """Whether a stop was requested (cheap: solver callbacks call it often)."""
        return self._event.is_set()

    def clear(self) -> None:
        """Forget a request (for the next run in the same process)."""
        with self._lock:
            self._event.clear()
            self._signum = int(signal.SIGINT)

    @property
    def in_native(self) -> bool:
        """Whether a native solver is running (a signal handler must then only record)."""
        return self._native > 0

    def raise_if_requested(self) -> None:
        """Raise :class:`Interrupted` when a stop was requested."""
        if self._event.is_set():
            raise Interrupted(self._signum)

    @contextlib.contextmanager
    def native(self, stop: Callable[[], None] | None = None) -> Iterator[None]:
        """Run a native solver in the block; ``stop`` (e.g. CP-SAT's ``StopSearch``) is
        called when a request arrives. On leaving, a request raises :class:`Interrupted`.
        """
        self.raise_if_requested()
        with self._lock:
            self._native += 1
            if stop is not None:
                self._hooks.append(stop)
        try:
            if stop is not None and self._event.is_set():
                stop()
            yield
        finally:
            with self._lock:
                self._native -= 1
                if stop is not None:
                    self._hooks.remove(stop)
        self.raise_if_requested()


#: The process's cancellation: the CLI's signal handlers set it; solvers poll it.
CANCEL = Cancellation()
