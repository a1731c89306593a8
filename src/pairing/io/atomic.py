"""The one output path: a failed command never destroys or half-writes anything.

Everything pairing writes (results, bundles, workbooks, reports, sweep and bench outputs) goes
through :func:`atomic_path` (one file) or :func:`atomic_folder` (a bundle), after the CLI has
checked the target with :func:`check_target`. The rules, in one place:

- a new or regular file is written to a temporary file beside it, which then replaces it in one
  rename; the new file gets the mode a plain ``open(..., "w")`` would give (the old file's, or
  0o666 less the umask), not ``mkstemp``'s private 0o600;
- a symlink is written *through*: its target is replaced, the link stays a link;
- a device (``/dev/null``, a terminal) is written through, never replaced by a regular file; a
  FIFO is written through when something reads it, and refused otherwise (writing would hang);
  a socket or a folder where a file is expected is refused;
- an output that is one of the command's inputs, or lies inside an input folder, is refused, and
  an existing non-empty bundle folder is replaced only when the caller passes ``force``;
- an empty path, a missing permission, a read-only file system or a full disk is an
  :class:`~pairing.errors.OutputError` naming the file and the operating system's reason, and
  the earlier file stays as it was.

Temporary files are listed while they exist (:func:`pending_temporaries`) so that a signal
handler that must exit at once can still remove them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from pairing.errors import OutputError

__all__ = [
    "atomic_folder",
    "atomic_path",
    "check_target",
    "pending_temporaries",
    "remove_pending",
    "write_atomic",
]

_PENDING: set[Path] = set()
_PENDING_LOCK = threading.Lock()

_HINTS = {
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EACCES: "check the folder's permissions or write elsewhere",
    errno.EPERM: "check the folder's permissions or write elsewhere",
    errno.EROFS: "the file system is read-only; write elsewhere",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "give a file name, not a folder",
    errno.ENAMETOOLONG: "use a shorter name",
}


def _os_error(path: str | os.PathLike[str], exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    hint = _HINTS.get(exc.errno or 0)
    return OutputError(f"{os.fspath(path)}: cannot write: {reason}{f'; {hint}' if hint else ''}")


def _track(path: Path) -> None:
    with _PENDING_LOCK:
        _PENDING.add(path)


def _untrack(path: Path) -> None:
    with _PENDING_LOCK:
        _PENDING.discard(path)


def pending_temporaries() -> list[Path]:
    """The temporary files and folders being written right now (normally none)."""
    with _PENDING_LOCK:
        return sorted(_PENDING)


def remove_pending() -> None:
    """Remove every pending temporary (for a signal handler about to exit the process)."""
    for path in pending_temporaries():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        _untrack(path)


def _as_path(path: str | os.PathLike[str]) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        msg = f"expected an output path (str or os.PathLike), got {type(path).__name__}"
        raise OutputError(msg)
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        msg_0 = "the output path is empty; give a file name"
        raise OutputError(msg_0)
    return Path(text)


def _mode_of(path: Path) -> int | None:
    """``st_mode`` of what ``path`` points to (following links), or None when nothing is there."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _os_error(path, exc) from None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    folder: bool = False,
    force: bool = False,
) -> Path:
    """Check an output target before any work is done; return it as a ``Path``.

    Parameters
    ----------
    path
        Where the command will write.
    inputs
        The command's input files and folders (``None`` entries are skipped): the output may be
        none of them, lie inside none of them, nor (for a folder) contain one.
    folder
        The output is a bundle folder rather than one file.
    force
        Allow replacing an existing non-empty folder (only meaningful with ``folder``).

    Raises
    ------
    OutputError
        With the reason and what to do instead.
    """
    target = _as_path(path)
    mode = _mode_of(target)
    real = Path(os.path.realpath(target))
    for given in inputs:
        if given is None:
            continue
        source = Path(os.path.realpath(given))
        if real == source:
            msg = f"{target}: is one of this command's inputs ({given}); write the output elsewhere"
            raise OutputError(msg)
        if source.is_dir() and _inside(real, source):
            msg = (
                f"{target}: lies inside the input folder {given}; the next run would read it "
                "back as input, so write the output elsewhere"
            )
            raise OutputError(msg)
        if folder and _inside(source, real):
            msg = f"{target}: holds this command's input {given}; write the output elsewhere"
            raise OutputError(msg)
    if folder:
        if mode is not None and not stat.S_ISDIR(mode):
            msg_0 = f"{target}: exists and is not a folder; give a folder name"
            raise OutputError(msg_0)
        if mode is not None and any(target.iterdir()) and not force:
            msg_0 = f"{target}: the folder exists and is not empty; pass --force to replace it"
            raise OutputError(msg_0)
        return target
    if mode is not None and stat.S_ISDIR(mode):
        msg_0 = f"{target}: is a folder; give a file name (e.g. {target / 'result.json'})"
        raise OutputError(msg_0)
    if mode is not None and stat.S_ISSOCK(mode):
        msg_0 = f"{target}: is a socket; give a file name"
        raise OutputError(msg_0)
    return target


def _open_special(target: Path, mode: int) -> int:
    """A write descriptor on a device or FIFO; a FIFO nobody reads is refused, not waited on."""
    flags = os.O_WRONLY
    if stat.S_ISFIFO(mode):
        flags |= os.O_NONBLOCK
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            msg = f"{target}: is a FIFO that nothing reads; start the reader first or write a file"
            raise OutputError(msg) from None
        raise _os_error(target, exc) from None
    if stat.S_ISFIFO(mode):
        os.set_blocking(fd, True)
    return fd


def _write_through(temp: Path, target: Path, mode: int) -> None:
    fd = _open_special(target, mode)
    try:
        with os.fdopen(fd, "wb", closefd=True) as sink, temp.open("rb") as source:
            shutil.copyfileobj(source, sink)
    except OSError as exc:
        raise _os_error(target, exc) from None


def _file_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write to; it replaces (or is written through to) ``path`` on success.

    Raises
    ------
    OutputError
        When the target is a folder or socket, or the operating system refuses a step (the
        message carries its reason); the earlier file is left as it was.
    """
    given = check_target(path)
    mode = _mode_of(given)
    special = mode is not None and not stat.S_ISREG(mode)
    target = Path(os.path.realpath(given))  # a symlink is written through, not replaced
    try:
        if special:
            fd, name = tempfile.mkstemp(prefix="pairing-", suffix=".tmp")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise _os_error(given, exc) from None
    temp = Path(name)
    _track(temp)
    try:
        yield temp
        if special:
            assert mode is not None
            _write_through(temp, given, mode)
        else:
            os.chmod(temp, _file_mode(target))
            os.replace(temp, target)
    except OSError as exc:
        raise _os_error(given, exc) from None
    finally:
        temp.unlink(missing_ok=True)
        _untrack(temp)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str], *, force: bool = True,
                  swap: bool = False) -> Iterator[Path]:
    """A temporary folder to fill; its files move into ``path`` when the block succeeds.

    A new folder appears whole (one rename) or not at all; in an existing folder each file is
    replaced in one rename and other files are left alone, or with ``swap`` the whole folder
    is replaced (the old one is set aside, the new one renamed into place, the old one
    removed), so no stale file of an earlier run stays. Without ``force`` an existing
    non-empty folder is refused.

    Raises
    ------
    OutputError
        As :func:`check_target`, or when the operating system refuses a step.
    """
    target = check_target(path, folder=True, force=force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise _os_error(target, exc) from None
    _track(temp)
    try:
        yield temp
        if _mode_of(target) is None:
            os.chmod(temp, 0o777 & ~_umask())
            os.rename(temp, target)
        elif swap:
            os.chmod(temp, 0o777 & ~_umask())
            _swap_folder(temp, target)
        else:
            for entry in sorted(temp.iterdir()):
                os.replace(entry, target / entry.name)
    except OSError as exc:
        raise _os_error(target, exc) from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        _untrack(temp)


def _swap_folder(new: Path, target: Path) -> None:
    """Put folder ``new`` in place of the existing ``target``: the old one is set aside first
    (and put back if the rename fails), then removed."""
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_path`."""
    with atomic_path(path) as temp, temp.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
