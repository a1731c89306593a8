"""Wall time and peak memory of one call, measured honestly for NumPy-heavy code.

Peak memory is the process's resident-set high-water mark (``VmHWM`` in ``/proc/self/status``)
reset to the current RSS just before the call by writing ``5`` to ``/proc/self/clear_refs``
(Linux ≥ 4.0). It therefore counts every page the call touched — NumPy buffers, C++ solver
memory, Python objects — plus what was already resident (the loaded instance), which is
reported separately as ``base_mb``. ``tracemalloc`` is not used: it misses memory allocated
outside Python's allocator hooks and slows NumPy-heavy code down. Where the reset is not
available, the fallback is ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, the peak of the whole
process (instance building included); :func:`memory_method` says which is in use.
"""

from __future__ import annotations

import re
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

__all__ = ["Measured", "measure", "memory_method", "reset_peak", "rss_mb"]

T = TypeVar("T")

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(field: str) -> int | None:
    try:
        match = re.search(rf"^{field}:\s+(\d+)\s+kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _maxrss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes vs kB


def rss_mb() -> float:
    """Current resident set size in MiB (``ru_maxrss`` where ``/proc`` is missing)."""
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else _maxrss_mb()


def reset_peak() -> bool:
    """Reset the high-water mark to the current RSS; False when the OS does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return _status_kb("VmHWM") is not None


def _peak_mb() -> float:
    kb = _status_kb("VmHWM")
    return kb / 1024 if kb is not None else _maxrss_mb()


def memory_method() -> str:
    """How :func:`measure` gets peak memory on this machine (for the report)."""
    if reset_peak():
        return "VmHWM after /proc/self/clear_refs reset (peak RSS during the call, per call)"
    return "getrusage ru_maxrss (peak RSS of the whole cell process, instance included)"


@dataclass(frozen=True)
class Measured(Generic[T]):
    """A call's value, wall time (s), resident memory before it and its peak (MiB)."""

    value: T
    wall_s: float
    base_mb: float
    peak_mb: float


def measure(call: Callable[[], T]) -> Measured[T]:
    """Run ``call()`` once and measure it (exceptions propagate; time is then not recorded)."""
    reset_peak()
    base = rss_mb()
    started = time.perf_counter()
    value = call()
    wall = time.perf_counter() - started
    return Measured(value, wall, base, max(_peak_mb(), base))
