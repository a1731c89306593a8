"""Stopping a solve: the cancellation object reaches HiGHS and CP-SAT, and the CLI exits 130/143."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp

from pairing.interrupt import CANCEL, Interrupted
from pairing.solvers._highs import HighsModel


@pytest.fixture(autouse=True)
def _clear() -> None:
    CANCEL.clear()
    yield
    CANCEL.clear()


def _hard_mip(n: int = 200) -> HighsModel:
    """An assignment with knapsack side rows: seconds of branch and bound for HiGHS."""
    rng = np.random.default_rng(0)
    cells = n * n
    rows = np.r_[np.repeat(np.arange(n), n), n + np.tile(np.arange(n), n)]
    cols = np.r_[np.arange(cells), np.arange(cells)]
    assignment = sp.csc_array((np.ones(2 * cells), (rows, cols)), shape=(2 * n, cells))
    knapsack = sp.csc_array(rng.integers(1, 100, (5, cells)).astype(float))
    matrix = sp.vstack([assignment, knapsack]).tocsc()
    lower = np.r_[np.ones(2 * n), np.full(5, -np.inf)]
    upper = np.r_[np.ones(2 * n), 0.5 * np.asarray(knapsack.sum(axis=1)).ravel() / n]
    model = HighsModel(matrix, lower, upper, rng.random(cells), np.zeros(cells), np.ones(cells))
    model.set_integer()
    return model


def test_highs_stops_when_cancelled() -> None:
    model = _hard_mip()
    threading.Timer(2.0, CANCEL.request, args=(signal.SIGTERM,)).start()
    started = time.monotonic()
    with pytest.raises(Interrupted) as caught:
        model.run(time_limit=60)
    assert caught.value.exit_code == 143
    # well before the 60 s limit: the request stopped it (with room for a loaded machine,
    # where HiGHS's presolve may take a few seconds to look at its callback)
    assert time.monotonic() - started < 15.0


def test_a_native_block_calls_its_stop_hook_and_raises() -> None:
    stopped: list[bool] = []
    with pytest.raises(Interrupted), CANCEL.native(stop=lambda: stopped.append(True)):
        assert CANCEL.in_native
        CANCEL.request(signal.SIGINT)
        assert stopped == [True]
    assert not CANCEL.in_native


def test_cpsat_does_not_start_after_a_request() -> None:
    import pairing

    programme = pairing.from_scores(np.full((3, 3), 0.5), ["a", "b", "c"], ["x", "y", "z"])
    CANCEL.request(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        pairing.solve(programme, solver="cpsat")


_STUCK_SOLVER = """
import sys, time
from pairing.interrupt import CANCEL
import pairing.cli.solve_cmd as solve_cmd

def stuck(*args, **kwargs):
    with CANCEL.native():  # a native solver that never polls the cancellation
        sys.stderr.write("solving\\n")
        sys.stderr.flush()
        time.sleep(60)

solve_cmd.solve = stuck
from pairing.cli import main
main()
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_solver_that_ignores_the_request_is_stopped_within_the_grace_time(
    tmp_path, signum: int, code: int
) -> None:
    import subprocess
    import sys

    from pairing.cli.signals import GRACE_S

    programme = tmp_path / "p.json"
    import pairing

    pairing.io.dump_programme_json(
        pairing.from_scores(np.full((2, 2), 0.5), ["a", "b"], ["x", "y"]), programme
    )
    out = tmp_path / "r.json"
    process = subprocess.Popen(
        [sys.executable, "-c", _STUCK_SOLVER, "solve", str(programme), "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline().strip() == "solving"
    started = time.monotonic()
    process.send_signal(signum)
    assert process.wait(10) == code
    assert time.monotonic() - started < GRACE_S + 1.0
    errors = process.stderr.read()
    assert "interrupted" in errors
    assert "Traceback" not in errors
    assert not out.exists()


def test_sigterm_stops_a_sweep_keeping_whole_rows(tmp_path) -> None:
    import csv
    import subprocess
    import sys
    from pathlib import Path

    from pairing.cli.signals import GRACE_S

    sweep = Path(__file__).resolve().parent.parent / "instances" / "sweep-example.toml"
    out = tmp_path / "rows.csv"
    command = [sys.executable, "-c", "from pairing.cli import main; main()", "sweep", str(sweep)]
    command += ["-o", str(out)]
    process = subprocess.Popen([*command, "--workers", "1"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and out.read_text().count("\n") >= 3:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the sweep ended before it could be stopped"
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 143
    assert time.monotonic() - started < GRACE_S + 1.5
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()
    text = out.read_text()
    assert text.endswith("\n")
    rows = list(csv.DictReader(text.splitlines()))
    assert rows and all(row["status"] for row in rows)


def test_sigterm_ends_the_bench_workers(tmp_path) -> None:
    import subprocess
    import sys

    import psutil

    command = [sys.executable, "-c", "from pairing.cli import main; main()", "bench", "--quick"]
    process = subprocess.Popen(
        [*command, "--out", str(tmp_path / "bench")], stderr=subprocess.DEVNULL
    )
    parent = psutil.Process(process.pid)
    workers: list[psutil.Process] = []
    deadline = time.monotonic() + 60
    def is_worker(child: psutil.Process) -> bool:
        try:
            return "pairing.bench.worker" in " ".join(child.cmdline())
        except psutil.Error:  # a worker that ended (or turned zombie) while we looked
            return False

    while not workers and time.monotonic() < deadline and process.poll() is None:
        workers = [c for c in parent.children() if is_worker(c)]
        time.sleep(0.02)
    assert workers, "no bench worker was seen running"
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 143
    _gone, alive = psutil.wait_procs(workers, timeout=5)
    assert alive == []


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_large_balanced_solve_stops_within_two_seconds(tmp_path, signum: int, code: int) -> None:
    """The report's case: 1,000 × 1,000 `balanced` took 150 s to honour Ctrl-C."""
    import subprocess
    import sys

    from pairing.generator import generate
    from pairing.io import dump_programme_json

    programme = dump_programme_json(generate(1000, 1000, seed=1), tmp_path / "p.json")
    out = tmp_path / "r.json"
    command = [sys.executable, "-c", "from pairing.cli import main; main()", "solve"]
    process = subprocess.Popen(
        [*command, str(programme), "--objective", "balanced", "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(5)
    assert process.poll() is None, "the solve ended before it could be interrupted"
    started = time.monotonic()
    process.send_signal(signum)
    assert process.wait(10) == code
    assert time.monotonic() - started < 2.0
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()
    assert not out.exists()
