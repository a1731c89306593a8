"""Outputs never destroy anything: inputs, devices, FIFOs, links and old files are safe.

Every reproduction of the reliability report is one test here: a target that is an input or
lies in an input bundle is refused (exit 2), a device or FIFO is written through or refused but
never replaced, a link keeps being a link, and an operating-system failure (folder, empty path,
permission, read-only, full disk) is exit 2 with the reason while the earlier file stays.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.errors import OutputError
from pairing.interrupt import Interrupted
from pairing.io.atomic import atomic_folder, atomic_path, pending_temporaries, write_atomic

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "prog.json"
    assert invoke("generate", "--left", 6, "--right", 6, "--seed", 3, "-o", path).exit_code == 0
    return path


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "bundle"
    assert invoke("generate", "--left", 6, "--right", 6, "--seed", 3, "-o", path).exit_code == 0
    return path


def _no_temporaries(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert pending_temporaries() == []


# --- inputs are never overwritten -------------------------------------------------------------


def test_solve_refuses_to_overwrite_its_programme(small: Path) -> None:
    before = small.read_bytes()
    run = invoke("solve", small, "-o", small)
    assert run.exit_code == 2
    assert "one of this command's inputs" in run.output
    assert small.read_bytes() == before


def test_report_refuses_to_overwrite_its_programme(small: Path, tmp_path: Path) -> None:
    result = tmp_path / "r.json"
    assert invoke("solve", small, "-o", result).exit_code == 0
    before = small.read_bytes()
    run = invoke("report", small, result, "-o", small)
    assert run.exit_code == 2, run.output
    assert small.read_bytes() == before
    assert invoke("report", small, result, "-o", result).exit_code == 2


def test_solve_refuses_an_output_inside_its_bundle(bundle: Path) -> None:
    before = (bundle / "left.csv").read_bytes()
    run = invoke("solve", bundle, "-o", bundle / "left.csv")
    assert run.exit_code == 2
    assert "inside the input folder" in run.output
    assert (bundle / "left.csv").read_bytes() == before
    assert not (bundle / "new.json").exists()
    assert invoke("solve", bundle, "-o", bundle / "new.json").exit_code == 2
    assert invoke("solve", bundle).exit_code == 0


def test_a_link_to_an_input_is_the_input(small: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(small)
    assert invoke("solve", small, "-o", link).exit_code == 2


def test_repair_and_compare_refuse_their_inputs(small: Path, tmp_path: Path) -> None:
    result = tmp_path / "r.json"
    assert invoke("solve", small, "-o", result).exit_code == 0
    left = pairing.load(small).left.ids[0]
    before = result.read_bytes()
    assert invoke("repair", small, result, "--withdraw", left, "-o", result).exit_code == 2
    assert result.read_bytes() == before
    assert invoke("compare", small, "--objective", "total", "-o", small).exit_code == 2


def test_generate_replaces_an_existing_bundle_only_with_force(bundle: Path) -> None:
    before = (bundle / "left.csv").read_bytes()
    run = invoke("generate", "--left", 3, "--right", 3, "-o", bundle)
    assert run.exit_code == 2
    assert "--force" in run.output
    assert (bundle / "left.csv").read_bytes() == before
    assert invoke("generate", "--left", 3, "--right", 3, "-o", bundle, "--force").exit_code == 0
    assert pairing.load(bundle).shape == (3, 3)


# --- devices, FIFOs and links are written through, never replaced ------------------------------


def test_dev_null_stays_a_device(small: Path) -> None:
    run = invoke("solve", small, "-o", os.devnull)
    assert run.exit_code == 0, run.output
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_fifo_nobody_reads_is_refused_and_stays_a_fifo(small: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    run = invoke("solve", small, "-o", fifo)
    assert run.exit_code == 2
    assert "FIFO" in run.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    _no_temporaries(tmp_path)


def test_a_fifo_with_a_reader_receives_the_result(small: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    ready = threading.Event()

    def read() -> None:
        # Open without waiting for a writer, so the solve below surely finds a reader even on a
        # busy machine; until the writer comes, a read returns nothing.
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        ready.set()
        chunks: list[bytes] = []
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:  # a writer is connected, nothing written yet
                    data = None
                if data:
                    chunks.append(data)
                elif data == b"" and chunks:
                    break  # the writer wrote and closed
                else:
                    time.sleep(0.01)
        finally:
            os.close(fd)
        received.append(b"".join(chunks))

    reader = threading.Thread(target=read)
    reader.start()
    assert ready.wait(10)
    run = invoke("solve", small, "-o", fifo)
    reader.join(60)
    assert run.exit_code == 0, run.output
    assert b'"pairs"' in received[0]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_is_written_through(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert invoke("solve", small, "-o", link).exit_code == 0
    assert link.is_symlink()
    assert '"pairs"' in target.read_text()


# --- environment errors are exit 2 with the OS's reason, and the old file stays ----------------


def test_a_folder_or_an_empty_path_is_exit_2(small: Path, tmp_path: Path) -> None:
    run = invoke("solve", small, "-o", tmp_path)
    assert run.exit_code == 2
    assert "is a folder" in run.output
    run = invoke("solve", small, "-o", "")
    assert run.exit_code == 2
    assert "the output path is empty" in run.output
    with pytest.raises(OutputError, match="empty"):
        write_atomic("", "x")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "No space left on device"),
        (errno.EROFS, "Read-only file system"),
        (errno.EACCES, "Permission denied"),
    ],
)
def test_os_failures_keep_the_old_file(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    out = tmp_path / "r.json"
    out.write_text("the earlier result")

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", refuse)
    run = invoke("solve", small, "-o", out)
    assert run.exit_code == 2, run.output
    assert words in run.output
    assert out.read_text() == "the earlier result"
    _no_temporaries(tmp_path)


@pytest.mark.parametrize("bundle_output", [False, True])
def test_a_read_only_folder_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundle_output: bool
) -> None:
    import tempfile

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    out = tmp_path / ("bundle" if bundle_output else "p.json")
    run = invoke("generate", "--left", 3, "--right", 3, "-o", out)
    assert run.exit_code == 2, run.output
    assert "Read-only file system" in run.output
    assert not out.exists()


@pytest.mark.parametrize("command", ["solve", "report", "generate-json", "generate-bundle"])
def test_a_full_disk_is_exit_2_and_leaves_nothing(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    result = tmp_path / "r.json"
    assert invoke("solve", small, "-o", result).exit_code == 0
    out = tmp_path / "out"
    args = {
        "solve": ("solve", small, "-o", out),
        "report": ("report", small, result, "-o", out),
        "generate-json": ("generate", "--left", 3, "--right", 3, "-o", out.with_suffix(".json")),
        "generate-bundle": ("generate", "--left", 3, "--right", 3, "-o", out),
    }[command]
    real_open = Path.open

    def full(self: Path, mode: str = "r", *a: object, **k: object):  # type: ignore[no-untyped-def]
        if "w" in mode and self.name.endswith(".tmp"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(self, mode, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", full)
    run = invoke(*args)
    assert run.exit_code == 2, run.output
    assert "No space left on device" in run.output
    assert not out.exists() and not out.with_suffix(".json").exists()
    _no_temporaries(tmp_path)


# --- temporary files never outlive a signal ---------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_write_removes_its_temporary(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "r.json"
    out.write_text("old")
    with pytest.raises(Interrupted), atomic_path(out) as temp:
        temp.write_text("half")
        raise Interrupted(signum)
    assert out.read_text() == "old"
    _no_temporaries(tmp_path)
    with pytest.raises(Interrupted), atomic_folder(tmp_path / "b") as folder:
        (folder / "left.csv").write_text("x")
        raise Interrupted(signum)
    assert not (tmp_path / "b").exists()
    _no_temporaries(tmp_path)


_SLOW_WRITE = """
import os, sys, time
real_replace = os.replace
def slow_replace(source, target):
    sys.stderr.write("writing\\n")
    sys.stderr.flush()
    time.sleep(30)
    real_replace(source, target)
os.replace = slow_replace
from pairing.cli import main
main()
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_the_write_leaves_no_file(
    small: Path, tmp_path: Path, signum: int, code: int
) -> None:
    out = tmp_path / "r.json"
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITE, "solve", str(small), "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline().strip() == "writing"
    started = time.monotonic()
    process.send_signal(signum)
    assert process.wait(10) == code
    assert time.monotonic() - started < 3
    assert "Traceback" not in process.stderr.read()
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["prog.json"]
