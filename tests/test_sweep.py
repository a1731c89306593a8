"""Scenario sweeps: grid validation, job rows, output/resume, and real Dask clusters.

The cluster tests start a real scheduler and workers from this project's environment (the
``dask`` script next to ``sys.executable``) on 127.0.0.1, with the OS choosing free ports
(``--port 0``; the scheduler's address is read from its ``--scheduler-file``), and always tear
them down in a finaliser. One test kills a worker with SIGKILL mid-sweep and checks that every
job's row is present exactly once.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.errors import InvalidProgramme
from pairing.generator import generate
from pairing.io import dump_programme_json
from pairing.model.programme import PairQuota, Programme, Quota
from pairing.sweeps import RESULT_COLUMNS, ResultsFile, expand_grid, load_sweep_file, run_job
from pairing.sweeps.engine import THREAD_ENV

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DASK = BIN / "dask"
PAIRING = BIN / "pairing"
STARTUP_TIMEOUT_S = 30.0
SWEEP_TIMEOUT_S = 90.0

needs_dask_cli = pytest.mark.skipif(
    not DASK.exists(), reason=f"the dask CLI is not installed in this environment ({DASK})"
)


# --------------------------------------------------------------------------- programmes


@pytest.fixture(scope="module")
def small() -> Programme:
    """20×20 with one side quota (4 'new energy' enterprises on the left) and a pair quota."""
    base = generate(20, 20, seed=1, profile="double-hundred")
    rules = base.rules.model_copy(
        update={
            "quotas": [Quota(side="left", by="sector", group="new energy", min=1, max=4)],
            "pair_quotas": [PairQuota(left_sector="robotics", right_sector="textiles", max=2)],
        }
    )
    return base.model_copy(update={"rules": rules})


@pytest.fixture(scope="module")
def medium() -> Programme:
    """150×150, one-to-one: about 0.1 s a job, slow enough to kill a worker mid-sweep."""
    return generate(150, 150, seed=3, profile="double-hundred")


def _write_sweep(folder: Path, programme: Programme, grid_toml: str) -> Path:
    dump_programme_json(programme, folder / "programme.json")
    path = folder / "sweep.toml"
    path.write_text(f'programme = "programme.json"\n[grid]\n{grid_toml}', encoding="utf-8")
    return path


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _assert_each_job_once(rows: list[dict[str, str]] | list[dict], n_jobs: int) -> None:
    counts = Counter(int(row["job"]) for row in rows)
    assert sorted(counts) == list(range(n_jobs)), "some job has no row"
    assert max(counts.values()) == 1, f"rows repeated: {[j for j, n in counts.items() if n > 1]}"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


# --------------------------------------------------------------------------- a real cluster


class _Loopback:
    """A Dask scheduler and workers as subprocesses on 127.0.0.1 (workers without nanny, so a
    SIGKILL removes one for good)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.workers: list[subprocess.Popen[bytes]] = []
        self._logs: list[object] = []
        scheduler_file = folder / "scheduler.json"
        self.scheduler = self._spawn(
            "scheduler",
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                scheduler_file,
            ],
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        self.address = ""
        while time.monotonic() < deadline and not self.address:
            if self.scheduler.poll() is not None:
                pytest.fail(f"dask scheduler exited; see {folder / 'scheduler.log'}")
            try:
                self.address = json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        if not self.address:
            pytest.fail(f"dask scheduler did not start within {STARTUP_TIMEOUT_S:g} s")

    def _spawn(self, name: str, argv: list[object]) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        self._logs.append(log)
        env = {**os.environ, **THREAD_ENV}
        return subprocess.Popen(
            [str(a) for a in argv], stdout=log, stderr=subprocess.STDOUT, env=env
        )

    def add_worker(self) -> subprocess.Popen[bytes]:
        name = f"worker{len(self.workers)}"
        worker = self._spawn(
            name,
            [
                DASK,
                "worker",
                self.address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                name,
                "--death-timeout",
                "30",
            ],
        )
        self.workers.append(worker)
        return worker

    def worker_address(self, index: int) -> str:
        """The address a worker serves on (from its log), waiting for it to start."""
        log = self.folder / f"worker{index}.log"
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            for line in log.read_text(errors="replace").splitlines():
                if "Start worker at:" in line:
                    return line.split("Start worker at:")[1].strip()
            time.sleep(0.05)
        pytest.fail(f"worker {index} did not start within {STARTUP_TIMEOUT_S:g} s; see {log}")

    def close(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for log in self._logs:
            log.close()  # type: ignore[attr-defined]


@pytest.fixture
def loopback(tmp_path: Path) -> Iterator[Callable[[int], _Loopback]]:
    """Start a scheduler with N workers; everything is stopped when the test ends."""
    clusters: list[_Loopback] = []

    def start(n_workers: int) -> _Loopback:
        folder = tmp_path / f"cluster{len(clusters)}"
        folder.mkdir()
        cluster = _Loopback(folder)
        clusters.append(cluster)
        for _ in range(n_workers):
            cluster.add_worker()
        return cluster

    yield start
    for cluster in clusters:
        cluster.close()


# --------------------------------------------------------------------------- grid and files


def test_grid_is_a_deterministic_product(small: Programme) -> None:
    grid = {"objective": ["total", "maxmin"], "weights": {"sector": [0, 0.5]}, "seed": [7]}
    jobs = expand_grid(small, grid)
    assert [job.id for job in jobs] == [0, 1, 2, 3]
    assert [job.params for job in jobs] == [
        {"objective": "total", "weights.sector": 0.0, "seed": 7},
        {"objective": "total", "weights.sector": 0.5, "seed": 7},
        {"objective": "maxmin", "weights.sector": 0.0, "seed": 7},
        {"objective": "maxmin", "weights.sector": 0.5, "seed": 7},
    ]
    assert expand_grid(small, grid) == jobs


def test_quota_keys_by_index_and_by_name(small: Programme) -> None:
    jobs = expand_grid(
        small,
        {
            "quota.left.sector.new energy.max": [3],
            "quota.0.min": [0, "none"],
            "pair_quota.robotics.textiles.max": [1],
        },
    )
    targets = [s.target for s in jobs[0].settings]
    assert [(t.kind, t.index, t.field) for t in targets] == [
        ("quota", 0, "max"),
        ("quota", 0, "min"),
        ("pair_quota", 0, "max"),
    ]
    assert jobs[1].params["quota.0.min"] is None
    twice = small.rules.quotas * 2
    ambiguous = small.model_copy(update={"rules": small.rules.model_copy(update={"quotas": twice})})
    with pytest.raises(InvalidProgramme, match=r"ambiguous: it matches quotas 0, 1"):
        expand_grid(ambiguous, {"quota.left.sector.new energy.max": [3]})
    with pytest.raises(InvalidProgramme, match=r"keys quota\.0\.max, quota\.left\.sector"):
        expand_grid(small, {"quota.0.max": [3], "quota.left.sector.new energy.max": [3]})


def test_sweep_file_reports_every_problem_at_once(tmp_path: Path, small: Programme) -> None:
    path = _write_sweep(
        tmp_path,
        small,
        'objective = ["total", "maxmn"]\n'
        "weights.sectr = [0.5]\n"
        "seed = []\n"
        "min_score = 0.5\n"
        '"quota.3.max" = [1]\n'
        '"quota.left.sector.AI.max" = [1]\n'
        "colour = [1]\n"
        "time_limit = [-1]\n"
        'proposing = ["left", "left"]\n',
    )
    path.write_text(path.read_text() + 'extra = "x"\n')
    with pytest.raises(InvalidProgramme) as caught:
        load_sweep_file(path)
    text = str(caught.value)
    assert f"invalid input in {path}: 10 problems" in text
    for expected in (
        "key 'extra': unknown key",
        "'objective', value #2: expected one of: total, maxmin, leximin, balanced, stable; "
        "got 'maxmn'; did you mean 'maxmin'?",
        "'weights.sectr': unknown weight 'sectr'",
        "'seed': the list of values is empty",
        "'min_score': expected a list of values",
        "'quota.3.max': quota index 3 is out of range: the programme has 1 quotas (indexes 0..0)",
        "'quota.left.sector.AI.max': the programme has no quota left sector='AI'",
        "'colour': unknown key",
        "'time_limit', value #1: expected a number of seconds > 0",
        "'proposing', value #2: value 'left' is listed twice",
    ):
        assert expected in text
    missing = tmp_path / "missing.toml"
    missing.write_text('programme = "nowhere.json"\n')
    with pytest.raises(InvalidProgramme, match=r"(?s)does not exist.*\[grid\]: missing"):
        load_sweep_file(missing)


def test_cli_bad_sweep_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("programme = [\n")
    run = invoke("sweep", bad, "-o", tmp_path / "r.csv")
    assert run.exit_code == 2
    assert "not valid TOML" in run.output
    assert not (tmp_path / "r.csv").exists()


def test_cli_bad_scheduler_address_exits_2_and_writes_nothing(tmp_path: Path, small):
    sweep_file = _write_sweep(tmp_path, small, "seed = [0]\n")
    out = tmp_path / "r.csv"
    run = invoke("sweep", sweep_file, "-o", out, "--scheduler", "nonsense")
    assert run.exit_code == 2
    assert "scheduler nonsense: expected an address like tcp://HOST:8786" in run.output
    assert not out.exists()


def test_job_rows_record_results_and_failures(small: Programme) -> None:
    grid = {
        "objective": ["balanced"],
        "quota.0.min": [1, 3, 5],
        "quota.0.max": [2, 4],
        "min_score": [0.0, 0.6],
    }
    rows = {job.id: run_job(small, job) for job in expand_grid(small, grid)}
    statuses = Counter(row["status"] for row in rows.values())
    # min 3 or 5 above max 2, and 5 above 4: invalid whatever min_score. Infeasible: max 2
    # (all 4 'new energy' enterprises must be paired), and min_score 0.6 (no allowed partner).
    assert statuses == {"invalid": 6, "infeasible": 4, "optimal": 2}
    for row in rows.values():
        assert list(row) == ["job", *grid, *RESULT_COLUMNS]
        if row["status"] == "optimal":
            assert row["error"] is None and row["pairs"] == 20 and row["solved_by"]
        else:
            assert row["error"] and "\n" not in row["error"] and row["pairs"] is None
    invalid = next(r for r in rows.values() if r["status"] == "invalid")
    assert "overrides quota.0.min=3, quota.0.max=2" in invalid["error"]
    assert "min 3 is greater than max 2" in invalid["error"]
    infeasible = [r for r in rows.values() if r["status"] == "infeasible"]
    assert any("min_score 0.6" in r["error"] for r in infeasible)


# --------------------------------------------------------------------------- output and resume


def test_resume_keeps_rows_drops_torn_line_and_reruns_killed(tmp_path: Path, small: Programme):
    jobs = expand_grid(small, {"seed": [0, 1, 2, 3]})
    targets = [s.target for s in jobs[0].settings]
    out = tmp_path / "r.csv"
    first = ResultsFile(out, targets, jobs, resume=False)
    first.open()
    for job in jobs[:3]:
        row = run_job(small, job)
        if job.id == 2:
            row.update(status="killed", error="every worker that ran this job died")
        first.append(row)
    first.close(complete=False)
    with out.open("a") as handle:
        handle.write("3,3,optimal,,1.5")  # torn by a crash mid-write
    with pytest.raises(InvalidProgramme, match="already exists; pass --resume"):
        ResultsFile(out, targets, jobs, resume=False)
    resumed = ResultsFile(out, targets, jobs, resume=True)
    assert resumed.done == {0, 1}
    resumed.open()
    assert [r["job"] for r in _read_rows(out)] == ["0", "1"]
    other = expand_grid(small, {"seed": [0, 9, 2, 3]})
    with pytest.raises(
        InvalidProgramme, match=r"job 1 has other parameters: seed='1' \(this sweep: '9'\)"
    ):
        ResultsFile(out, targets, other, resume=True)


def test_import_pairing_does_not_import_dask() -> None:
    code = (
        "import sys, pairing, pairing.cli, pairing.sweeps; "
        "assert callable(pairing.sweep) and callable(pairing.sweep); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- on Dask


def test_local_default_cluster_records_failures_and_goes_on(tmp_path: Path, small: Programme):
    sweep_file = _write_sweep(
        tmp_path,
        small,
        'objective = ["maxmin", "balanced"]\n"quota.0.max" = [2, 4]\n"quota.0.min" = [0, 3]\n'
        "min_score = [0.0, 0.6]\n",
    )
    out = tmp_path / "out" / "results.csv"
    run = invoke("sweep", sweep_file, "-o", out, "--workers", "2")
    assert run.exit_code == 0, run.output
    assert "wrote" in run.output and "16 jobs (16 run), 12 failed (infeasible 8, invalid 4)" in (
        run.output
    )
    rows = _read_rows(out)
    _assert_each_job_once(rows, 16)
    header = next(csv.reader(out.open()))
    assert header == [
        "job",
        "objective",
        "quota.0.max",
        "quota.0.min",
        "min_score",
        *RESULT_COLUMNS,
    ]
    assert all(row["worker"].startswith("tcp://127.0.0.1:") for row in rows)
    invalid = [row for row in rows if row["status"] == "invalid"]
    assert {(r["quota.0.min"], r["quota.0.max"]) for r in invalid} == {("3", "2")}
    assert all("min 3 is greater than max 2" in r["error"] for r in invalid)


@needs_dask_cli
def test_worker_killed_mid_sweep_loses_no_job(tmp_path: Path, medium: Programme, loopback):
    cluster = loopback(2)
    sweep_file = _write_sweep(
        tmp_path,
        medium,
        'objective = ["maxmin"]\nweights.sector = [0.0, 0.25, 0.5, 1.0, 2.0]\n'
        f"seed = {list(range(12))}\n",
    )
    out = tmp_path / "results.csv"
    command = [PAIRING, "sweep", sweep_file, "-o", out, "--scheduler", cluster.address]
    sweeping = subprocess.Popen(
        [str(a) for a in [*command, "--workers", "2"]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **THREAD_ENV},
    )
    victim, victim_address = cluster.workers[1], cluster.worker_address(1)
    deadline = time.monotonic() + SWEEP_TIMEOUT_S
    try:
        # Kill the victim once it is warm and busy (it has finished a job; jobs remain queued).
        while time.monotonic() < deadline and sweeping.poll() is None:
            rows = _read_rows(out) if out.exists() else []
            if sum(row["worker"] == victim_address for row in rows) >= 1:
                break
            time.sleep(0.01)
        assert sweeping.poll() is None, "the sweep ended before a worker could be killed"
        os.kill(victim.pid, signal.SIGKILL)
        done_at_kill = {row["job"] for row in _read_rows(out)}
        _, stderr = sweeping.communicate(timeout=SWEEP_TIMEOUT_S)
    finally:
        if sweeping.poll() is None:
            sweeping.kill()
            sweeping.wait(timeout=10)
    assert sweeping.returncode == 0, stderr.decode()
    assert len(done_at_kill) <= 50, "too few jobs were left when the worker was killed"
    rows = _read_rows(out)
    _assert_each_job_once(rows, 60)
    assert {row["status"] for row in rows} == {"optimal"}
    after_kill = [row for row in rows if row["job"] not in done_at_kill]
    # the survivor ran the jobs left; a job the victim (one thread) finished just before the
    # kill can reach the file after done_at_kill was read, and one whole suite run saw that
    late = [row for row in after_kill if row["worker"] == victim_address]
    assert len(late) <= 2, late
    assert len(after_kill) > len(late)
    assert "60 jobs (60 run), 0 failed" in stderr.decode()


@needs_dask_cli
def test_lost_programme_is_scattered_again(medium: Programme, loopback) -> None:
    cluster = loopback(1)
    # 40 jobs of about 0.1 s: with 20, a run of the whole suite once saw the worker finish them
    # all before the third row reached the loop, and no job was left for a second worker
    grid = {"weights.sector": [0.0, 0.5, 1.0, 2.0], "seed": list(range(10))}
    rows = []
    with pairing.sweep(medium, grid, scheduler=cluster.address, workers=1) as run:
        for row in run:
            rows.append(row)
            if len(rows) == 3:  # the only worker, and the only copy of the programme, die
                os.kill(cluster.workers[0].pid, signal.SIGKILL)
                cluster.add_worker()
    _assert_each_job_once(rows, 40)
    assert {row["status"] for row in rows} == {"optimal"}
    assert len({row["worker"] for row in rows}) == 2


@needs_dask_cli
def test_resume_does_not_rerun_finished_jobs(tmp_path: Path, small: Programme, loopback):
    cluster = loopback(2)
    sweep_file = _write_sweep(
        tmp_path, small, "seed = [0, 1, 2, 3, 4]\nmin_score = [0.0, 0.1, 0.6]\n"
    )
    out = tmp_path / "results.csv"
    spec = load_sweep_file(sweep_file)
    with pairing.sweep(
        spec.programme, spec.grid, scheduler=cluster.address, workers=2, output=out
    ) as run:
        for count, _ in enumerate(run, start=1):
            if count == 6:
                break  # stop early: the other jobs are cancelled
    before = out.read_text().splitlines()
    assert len(before) == 1 + 6
    resumed = invoke("sweep", sweep_file, "-o", out, "--scheduler", cluster.address, "--resume")
    assert resumed.exit_code == 0, resumed.output
    after = out.read_text().splitlines()
    assert after[: len(before)] == before  # finished rows untouched, not rerun
    rows = _read_rows(out)
    _assert_each_job_once(rows, 15)
    failed = sum(row["status"] != "optimal" for row in rows)  # min_score 0.6: infeasible
    assert failed == 5
    assert f"15 jobs (9 run, 6 already done), {failed} failed (infeasible 5)" in resumed.output
    again = invoke("sweep", sweep_file, "-o", out, "--scheduler", cluster.address, "--resume")
    assert again.exit_code == 0 and "(0 run, 15 already done)" in again.output
    assert out.read_text().splitlines() == after
    refused = invoke("sweep", sweep_file, "-o", out, "--scheduler", cluster.address)
    assert refused.exit_code == 2 and "already exists; pass --resume" in refused.output


@needs_dask_cli
def test_parquet_output_is_typed_sorted_and_final(tmp_path: Path, small: Programme, loopback):
    pq = pytest.importorskip("pyarrow.parquet")
    cluster = loopback(1)
    out = tmp_path / "results.parquet"
    grid = {"objective": ["total", "maxmin"], "min_score": [0.0, 0.6], "time_limit": [5, "none"]}
    no_quotas = small.rules.model_copy(update={"quotas": [], "pair_quotas": []})
    plain = small.model_copy(update={"rules": no_quotas})
    rows = list(pairing.sweep(plain, grid, scheduler=cluster.address, output=out))
    assert len(rows) == 8
    assert not out.with_name("results.parquet.journal.csv").exists()
    table = pq.read_table(out)
    assert table.column_names == ["job", *grid, *RESULT_COLUMNS]
    types = {field.name: str(field.type) for field in table.schema}
    assert types["job"] == "int64" and types["min_score"] == "double"
    assert types["time_limit"] == "double" and types["pairs"] == "int64"
    data = table.to_pydict()
    assert data["job"] == list(range(8))
    assert data["time_limit"][:2] == [5.0, None]
    assert sum(status == "infeasible" for status in data["status"]) == 4
    resumed = pairing.sweep(plain, grid, output=out, resume=True)
    assert resumed.pending == [] and resumed.skipped == set(range(8))


# --------------------------------------------------------------------------- the shipped example


@pytest.mark.slow
@needs_dask_cli
def test_example_sweep_200_jobs_local_and_loopback_with_kill(tmp_path: Path, loopback) -> None:
    example = REPO / "instances" / "sweep-example.toml"
    started = time.perf_counter()
    local = invoke("sweep", example, "-o", tmp_path / "local.csv")
    local_s = time.perf_counter() - started
    assert local.exit_code == 0, local.output
    rows = _read_rows(tmp_path / "local.csv")
    _assert_each_job_once(rows, 200)

    cluster = loopback(2)
    out = tmp_path / "loopback.csv"
    started = time.perf_counter()
    remote = []
    for row in pairing.sweep(
        load_sweep_file(example).programme,
        load_sweep_file(example).grid,
        scheduler=cluster.address,
        workers=2,
        output=out,
    ):
        remote.append(row)
        if len(remote) == 50:
            os.kill(cluster.workers[1].pid, signal.SIGKILL)
    remote_s = time.perf_counter() - started
    _assert_each_job_once(_read_rows(out), 200)
    _assert_each_job_once(remote, 200)
    by_job = {int(r["job"]): r["status"] for r in rows}
    assert {r["job"]: r["status"] for r in remote} == by_job  # same outcomes on both engines
    print(
        f"\n200-job example: local default {local_s:.1f} s; "
        f"loopback, 2 workers, one killed: {remote_s:.1f} s"
    )
