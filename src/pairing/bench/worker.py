"""One benchmark cell in a fresh process: ``python -m pairing.bench.worker``.

Reads a JSON request on stdin — ``{"instance": path of the pickled Instance, "contender":
name, "repeats": n, "budget": seconds}`` — and writes one JSON line per repeat on stdout as soon
as it is measured, so that a cell killed at its budget still reports the repeats it finished.
A fresh process per (instance, contender) keeps one cell's memory, caches and imports from
leaking into the next one's measurement.
"""

from __future__ import annotations

import gc
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from pairing.bench.contenders import Outcome, core_timer, outcome_of_error, prepare
from pairing.bench.measure import measure

__all__ = ["STOP_REPEATING", "main", "run_cell"]

#: Statuses after which another repeat would tell nothing new.
STOP_REPEATING = frozenset({"unsupported", "invalid", "error", "out_of_memory", "skipped"})


def _record(
    repeat: int, outcome: Outcome, wall: float | None, base: float | None, peak: float | None
) -> dict[str, Any]:
    return {
        "repeat": repeat,
        "status": outcome.status,
        "wall_s": wall,
        "core_s": outcome.core_s,
        "base_mb": base,
        "peak_mb": peak,
        "objective_value": outcome.objective_value,
        "gap": outcome.gap,
        "extra": outcome.extra,
        "message": outcome.message,
    }


def run_cell(instance_path: Path, contender: str, repeats: int, budget: float, emit: Any) -> None:
    """Measure ``contender`` on the pickled instance ``repeats`` times, calling ``emit(record)``.

    Repeats stop early when half the budget is spent or the status says repeating is pointless.
    """
    started = time.perf_counter()
    with instance_path.open("rb") as handle:
        instance = pickle.load(handle)
    with core_timer() as clock:
        try:
            call = prepare(instance, contender, clock)
        except Exception as exc:  # a missing package or a bad instance: report, don't crash
            emit(_record(0, outcome_of_error(exc), None, None, None))
            return
        for repeat in range(repeats):
            gc.collect()
            try:
                measured = measure(call)
            except Exception as exc:
                outcome = outcome_of_error(exc)
                emit(_record(repeat, outcome, None, None, None))
                if outcome.status in STOP_REPEATING:
                    return
                continue
            outcome = measured.value
            emit(_record(repeat, outcome, measured.wall_s, measured.base_mb, measured.peak_mb))
            if outcome.status in STOP_REPEATING:
                return
            if time.perf_counter() - started > budget / 2:
                return


def main() -> None:
    """Entry point of the worker process (the runner starts it; not a user command)."""
    request = json.loads(sys.stdin.read())

    def emit(record: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

    run_cell(
        Path(request["instance"]),
        request["contender"],
        int(request["repeats"]),
        float(request["budget"]),
        emit,
    )


if __name__ == "__main__":
    main()
