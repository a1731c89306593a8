"""Run jobs on Dask distributed: a local cluster by default, or an existing scheduler.

This is the only module that imports Dask; :mod:`pairing.sweeps.run` imports it when a sweep
starts, so ``import pairing`` (and the CLI's start-up) stays light.

How no job is lost:

- The programme is scattered once, replicated to every worker (``broadcast=True``); jobs
  depend on that one future instead of carrying the programme.
- When a worker dies mid-job, the scheduler reschedules its tasks on the remaining workers
  (up to ``distributed.scheduler.allowed-failures`` deaths per task). A task that raises
  (only ``MemoryError`` escapes :func:`~pairing.sweeps.job.run_job`) is retried ``retries``
  times. A job whose every worker died ends with :class:`~distributed.KilledWorker` and is
  recorded with status ``killed`` (``--resume`` runs it again).
- If the scattered programme itself is lost (every replica was on workers that died), it is
  scattered again and the affected jobs are resubmitted under a new key.
- Exact solvers run single-threaded: one thread per local worker process, and the BLAS/OpenMP
  thread variables set to 1 in every worker (before spawn on a local cluster; by a worker
  plugin on an existing cluster, best effort there — see the README).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dask.system import CPU_COUNT
from distributed import Client, Future, KilledWorker, LocalCluster, as_completed
from distributed.client import FutureCancelledError
from distributed.comm.addressing import parse_address, parse_host_port
from distributed.diagnostics.plugin import WorkerPlugin

from pairing.errors import InvalidProgramme, Issue, PairingError
from pairing.interrupt import CANCEL
from pairing.model.programme import Programme
from pairing.sweeps.grid import Job
from pairing.sweeps.job import failure_row, worker_task

__all__ = ["THREAD_ENV", "SingleThreaded", "local_workers", "run_jobs"]

#: Thread-count variables of the numerical libraries, all set to 1 on sweep workers.
THREAD_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}
_CONNECT_TIMEOUT_S = 10.0
_WORKERS_TIMEOUT_S = 60.0
_MAX_RESUBMITS = 3


class SingleThreaded(WorkerPlugin):
    """Set the BLAS/OpenMP thread variables to 1 on every worker, including later joiners.

    Libraries read these when first loaded, so on a long-running worker that has already
    loaded them this is best effort; workers started by ``dask worker`` (with its default
    nanny) or by a local cluster get them before the process starts.
    """

    idempotent = True
    name = "pairing-single-threaded"

    def setup(self, worker: Any) -> None:
        os.environ.update(THREAD_ENV)


def local_workers() -> int:
    """Worker processes of a local cluster when none is asked for: one per usable core."""
    return max(1, CPU_COUNT)


#: Scheduler protocols a plain Dask installation connects over (UCX needs extra packages).
_PROTOCOLS = ("tcp", "tls")


class _ClosedClientComm(logging.Filter):
    """Drops the scheduler's "Closed comm ... while trying to write" report, logged with a
    traceback when a sweep stops early (a full disk, Ctrl-C) while a result is on its way to
    the client that is closing: expected then, and the sweep has already said why it stopped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Closed comm")


_SCHEDULER_LOG = logging.getLogger("distributed.scheduler")
if not any(isinstance(f, _ClosedClientComm) for f in _SCHEDULER_LOG.filters):
    _SCHEDULER_LOG.addFilter(_ClosedClientComm())


@contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """A client of a fresh local cluster (closed on exit) or of the scheduler at ``scheduler``."""
    if scheduler is None:
        cluster = None
        try:
            # A cluster stopped halfway through its start cannot be closed (Dask then prints a
            # traceback at exit): a Ctrl-C during the start takes effect once it is up.
            with CANCEL.native():
                cluster = LocalCluster(
                    n_workers=workers or local_workers(),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                    env=THREAD_ENV,
                )
            with Client(cluster, set_as_default=False) as client:
                yield client
        finally:
            if cluster is not None:
                cluster.close()
        return
    try:
        protocol, location = parse_address(scheduler)
        parse_host_port(location)
    except ValueError as exc:
        message = f"expected an address like tcp://HOST:8786 ({exc})"
        raise InvalidProgramme([Issue(f"scheduler {scheduler}", message)]) from None
    if protocol not in _PROTOCOLS:
        message = (
            f"the {protocol}:// protocol is not supported here; expected "
            f"{' or '.join(p + '://HOST:PORT' for p in _PROTOCOLS)}"
        )
        raise InvalidProgramme([Issue(f"scheduler {scheduler}", message)])
    try:
        client = Client(scheduler, timeout=_CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        message = (
            f"cannot connect to a Dask scheduler there within {_CONNECT_TIMEOUT_S:g} s ({exc}); "
            "start one with `dask scheduler`, check the address (tcp://HOST:PORT), "
            "or leave --scheduler out to run on a local cluster"
        )
        raise InvalidProgramme([Issue(f"scheduler {scheduler}", message)]) from None
    try:
        wanted = workers or 1
        try:
            client.wait_for_workers(wanted, timeout=_WORKERS_TIMEOUT_S)
        except TimeoutError:
            have = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            message = (
                f"{have} worker(s) connected within {_WORKERS_TIMEOUT_S:g} s, "
                f"{wanted} wanted; start workers with `dask worker {scheduler}`"
            )
            raise InvalidProgramme([Issue(f"scheduler {scheduler}", message)]) from None
        yield client
    finally:
        client.close()


def run_jobs(
    programme: Programme,
    jobs: Sequence[Job],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    retries: int = 2,
) -> Iterator[dict[str, Any]]:
    """Run ``jobs`` on Dask and yield each one's row as soon as it completes.

    Parameters
    ----------
    programme
        The base programme, shipped to the workers once.
    jobs
        The jobs to run (each yields exactly one row).
    scheduler
        Address of a running scheduler (``tcp://host:8786``); None starts a local cluster of
        processes that stops when the iteration ends.
    workers
        Local cluster: its number of worker processes (default :func:`local_workers`).
        Existing scheduler: how many workers to wait for before starting (default 1).
    retries
        Extra attempts of a task that raised (on any worker).

    Yields
    ------
    dict
        One row per job, in completion order (see :func:`pairing.sweeps.job.run_job`).

    Raises
    ------
    InvalidProgramme
        The scheduler cannot be reached, or too few workers joined it.
    PairingError
        The connection to the scheduler was lost mid-sweep (rows yielded so far are complete).
    """
    if not jobs:
        return
    with _client(scheduler, workers) as client:
        client.register_plugin(SingleThreaded())
        yield from _drive(client, programme, jobs, retries)


def _drive(
    client: Client, programme: Programme, jobs: Sequence[Job], retries: int
) -> Iterator[dict[str, Any]]:
    token = uuid.uuid4().hex[:10]
    payload = client.scatter(programme, broadcast=True, hash=False)
    pending: dict[Future, Job] = {}
    resubmits: dict[int, int] = {}

    def submit(job: Job) -> Future:
        attempt = resubmits.get(job.id, 0)
        future = client.submit(
            worker_task,
            payload,
            job,
            key=f"pairing-sweep-{token}-job{job.id}-{attempt}",
            retries=retries,
            pure=False,
        )
        pending[future] = job
        return future

    completed = as_completed([submit(job) for job in jobs], loop=client.loop)
    try:
        for future in completed:
            job = pending.pop(future)
            if future.status == "finished":
                try:
                    row = future.result()
                except FutureCancelledError:
                    pass  # its worker died before the result was fetched: resubmit it below
                else:
                    yield row
                    continue
            if future.status == "error":
                exc = future.exception()
                if isinstance(exc, KilledWorker):
                    yield failure_row(job, "killed", f"every worker that ran this job died: {exc}")
                else:
                    yield failure_row(job, "error", f"{type(exc).__name__}: {exc}")
                continue
            # Cancelled: the scheduler is gone, or the scattered programme was lost.
            if client.status != "running":
                message = "lost the connection to the Dask scheduler mid-sweep"
                raise PairingError(message)
            resubmits[job.id] = resubmits.get(job.id, 0) + 1
            if resubmits[job.id] > _MAX_RESUBMITS:
                yield failure_row(job, "killed", "the job was cancelled by the cluster repeatedly")
                continue
            if payload.status != "finished":
                payload = client.scatter(programme, broadcast=True, hash=False)
            completed.add(submit(job))
    finally:
        if pending:
            client.cancel(list(pending), force=True)
