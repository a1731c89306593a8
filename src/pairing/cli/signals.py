"""Ctrl-C and SIGTERM in the CLI: stop within two seconds, write nothing, exit 130 or 143.

:func:`handle_signals` installs one handler for SIGINT and SIGTERM for the duration of a command:

1. the request goes to :data:`pairing.interrupt.CANCEL`, which HiGHS polls and which calls
   CP-SAT's ``StopSearch``; outside a native solver the handler raises
   :class:`~pairing.interrupt.Interrupted` at once, so ``finally`` blocks run (temporary files
   are removed, a sweep's Dask client is closed) and the command exits 128 + the signal number;
2. a signal arriving while the main thread is inside C code that never returns to Python is seen
   by a reader thread (through :func:`signal.set_wakeup_fd`), which makes the same request;
3. if the process is still running :data:`GRACE_S` seconds after the first signal, or a second
   signal arrives, the watcher removes every pending temporary output and ends the process with
   the same exit code. Nothing is ever half-written: outputs only replace their target whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from pairing.interrupt import CANCEL, Interrupted
from pairing.io.atomic import remove_pending

__all__ = ["GRACE_S", "handle_signals"]

#: Seconds between the first signal and a forced exit (the exit itself takes ~0.1-0.3 s more,
#: so a run always ends within the 2 s the README promises).
GRACE_S = 1.5
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _hard_exit(signum: int) -> None:
    remove_pending()
    with contextlib.suppress(Exception):
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    os._exit(128 + signum)


class _Watcher:
    """Turns a signal into a cancellation request, and forces the exit after the grace time."""

    def __init__(self) -> None:
        self._first: int | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()

    def arm(self, signum: int) -> None:
        """Request the stop and start the grace timer (once, whoever sees the signal first)."""
        with self._lock:
            if self._first is not None:
                return
            self._first = signum
        CANCEL.request(signum)
        timer = threading.Timer(GRACE_S, self._expire, args=(signum,))
        timer.daemon = True
        timer.start()

    def _expire(self, signum: int) -> None:
        if not self._done.is_set():
            _hard_exit(signum)

    def finish(self) -> None:
        """The command is over: without a signal, disarm; after one, the exit must still come
        within the grace time (Dask's clean-up at exit can take longer), so stay armed."""
        if self._first is None:
            self._done.set()


def _read_wakeups(fd: int, watcher: _Watcher) -> None:
    while True:
        try:
            data = os.read(fd, 16)
        except OSError:
            break
        if not data:
            break
        for signum in data:
            if signum in _SIGNALS:
                watcher.arm(signum)
    with contextlib.suppress(OSError):
        os.close(fd)


@contextlib.contextmanager
def handle_signals() -> Iterator[None]:
    """Install the CLI's SIGINT/SIGTERM handling for the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    watcher = _Watcher()
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) > 1:  # a second Ctrl-C: stop now
            _hard_exit(received[0])
        watcher.arm(signum)
        if not CANCEL.in_native:
            raise Interrupted(signum)

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    old_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    reader = threading.Thread(target=_read_wakeups, args=(read_fd, watcher), daemon=True)
    reader.start()
    try:
        yield
    finally:
        watcher.finish()
        signal.set_wakeup_fd(old_wakeup)
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
        os.close(write_fd)
        CANCEL.clear()

