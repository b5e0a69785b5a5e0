"""Writing output files so that a crash, a kill or a full disk never leaves a half-written file.

Every file gaitscope writes (CSV, JSON, HTML, PDF, PNG/JPEG, MP4, NPZ, the pose cache) goes
through this module (see ``docs/reliability.md``):

* **Atomic.** The content is written to a temporary file in the same folder
  (``.gaitscope-tmp-<pid>-<random>-<name>``), flushed to disk, then renamed over the final name
  (:func:`os.replace`). A reader sees the old file or the new one, never a part of either. A
  temporary file left by a killed run is removed by the next run into that folder
  (:func:`remove_leftovers`).
* **No writing through symlinks.** The temporary file is created with ``O_EXCL | O_NOFOLLOW`` and
  the rename replaces whatever has the final name: a symlink already sitting in the output folder
  (``events.csv -> /elsewhere``) is replaced by a regular file; the file it pointed to is left
  untouched. A symlinked *sub*-folder gaitscope makes inside the output folder is replaced by a
  real folder (:func:`ensure_subdir`).
* **Full disk.** ``ENOSPC`` / ``EDQUOT`` becomes one sentence (a :class:`DiskFullError`) saying
  how much was needed and how much is free; the temporary file is removed.
* **Honest folders.** :func:`output_run` brackets one run of a command into a folder: while it
  runs (and if it is killed) the folder holds ``STALE.txt`` and the earlier run's result files
  are set aside as ``<name>.stale.<ext>``; when the run fails, the result files it wrote itself
  are removed (an incomplete set) and ``STALE.txt`` says why; when it succeeds, the marker and the
  ``.stale`` files are removed. A folder without ``STALE.txt`` holds one complete run's results.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from gaitscope.types import GaitscopeError

#: Prefix of temporary files in an output folder (a leftover one is removed by the next run).
TMP_PREFIX = ".gaitscope-tmp-"
#: Marker file of a folder whose result files do not belong to one complete, successful run.
STALE_NAME = "STALE.txt"
#: Result files of a run (not caches): these are marked stale when a run into their folder fails.
#: ``summary.json`` (analyze) and ``assessment.json`` (assess) are written last by their command.
RESULT_NAMES = (
    "events.csv",
    "cycles.csv",
    "angles.csv",
    "findings.json",
    "summary.json",
    "report.html",
    "report.pdf",
    "assessment.json",
    "overlay_side.mp4",
    "overlay_frontal.mp4",
    "posture.json",
)
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class DiskFullError(GaitscopeError):
    """No space left on the device while writing an output file."""


def is_disk_full(err: BaseException) -> bool:
    """True for an ``OSError`` meaning "no space left" (or over quota)."""
    return isinstance(err, OSError) and err.errno in _FULL_ERRNOS


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes < 1e9 else f"{n_bytes / 1e9:.2f} GB"


def disk_full_message(path: str | Path, needed_bytes: int | None, *, at_least: bool = False) -> str:
    """One sentence: which file, how much was needed, how much is free, what to do."""
    path = Path(path)
    try:
        free = shutil.disk_usage(path.parent if path.parent.exists() else Path.cwd()).free
        free_txt = f"{_mb(free)} free"
    except OSError:
        free_txt = "free space unknown"
    if needed_bytes is None:
        need_txt = "more space than is free"
    else:
        need_txt = f"{'at least ' if at_least else ''}{_mb(needed_bytes)}"
    return (
        f"{path}: the disk is full (writing it needed {need_txt}, {free_txt}); nothing was half-written: "
        "free some space or choose another output folder with --out, then run again"
    )


def _tmp_name(final: Path) -> Path:
    return final.with_name(f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{final.name}")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_exclusive(tmp: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(tmp, flags, 0o666)


@contextmanager
def atomic_path(path: str | Path, *, needed_bytes: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it to ``path``.

    For writers that need a file name (PyAV, PIL, NumPy, Chromium): write to the yielded path.
    The temporary name ends with the final name, so writers that infer the format from the
    suffix still do. On any exception the temporary file is removed and the final file is left
    as it was; a full disk is raised as :class:`DiskFullError`.
    """
    final = Path(path)
    tmp = _tmp_name(final)
    try:
        os.close(_create_exclusive(tmp))
        yield tmp
        # flush the content to disk before the rename, so a power cut cannot leave an empty file
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except BaseException as err:
        size = tmp.stat().st_size if tmp.exists() else 0
        tmp.unlink(missing_ok=True)
        if is_disk_full(err):
            if needed_bytes is None:
                raise DiskFullError(disk_full_message(final, max(size, 1), at_least=True)) from None
            raise DiskFullError(disk_full_message(final, needed_bytes)) from None
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, never through a symlink; returns ``path``."""
    final = Path(path)
    with atomic_path(final, needed_bytes=len(data)) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return final


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default)."""
    return write_bytes(path, text.encode(encoding))


def json_ready(o: Any) -> Any:
    """Plain JSON types: numpy scalars and arrays to Python, tuples to lists, paths to text, NaN/inf to None."""
    import math

    import numpy as np

    if isinstance(o, dict):
        return {str(k): json_ready(v) for k, v in o.items()}
    if isinstance(o, (list, tuple, np.ndarray)):
        return [json_ready(v) for v in o]
    if isinstance(o, (np.bool_, bool)):
        return bool(o)
    if isinstance(o, (np.integer, int)):
        return int(o)
    if isinstance(o, (np.floating, float)):
        return float(o) if math.isfinite(float(o)) else None
    if isinstance(o, Path):
        return str(o)
    if o is None or isinstance(o, str):
        return o
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def write_json(path: str | Path, obj: Any, *, indent: int | None = 1, allow_nan: bool = False, **kw: Any) -> Path:
    """Write ``obj`` as JSON (strict: no NaN by default) plus a final newline, atomically."""
    return write_text(path, json.dumps(obj, indent=indent, allow_nan=allow_nan, **kw) + "\n")


def write_csv(df: Any, path: str | Path, **to_csv: Any) -> Path:
    """Write a DataFrame with ``df.to_csv(**to_csv)`` atomically (the CSV is built in memory)."""
    return write_text(path, df.to_csv(None, **to_csv))


def ensure_dir(path: str | Path) -> Path:
    """Create the output folder ``path`` (and parents) if needed; returns it.

    The folder the user names may itself be a symlink (that is their choice); see
    :func:`ensure_subdir` for folders gaitscope makes inside it.
    """
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    return p


def ensure_subdir(parent: str | Path, name: str) -> Path:
    """The folder ``parent/name``, created if needed; a symlink in its place is replaced by a
    real folder (the link's target is not touched)."""
    p = Path(parent) / name
    if p.is_symlink():
        p.unlink()
    p.mkdir(parents=True, exist_ok=True)
    return p


def remove_leftovers(folder: str | Path) -> list[Path]:
    """Remove temporary files left in ``folder`` by a run that was killed; returns them.

    Only files whose writing process is gone are removed (another run writing into the same
    folder at the same time keeps its own).
    """
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for p in folder.glob(f"{TMP_PREFIX}*"):
        try:
            pid = int(p.name[len(TMP_PREFIX):].split("-", 1)[0])
        except ValueError:
            pid = -1
        if pid > 0 and pid != os.getpid() and _alive(pid):
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_name(name: str) -> str:
    """``summary.json`` -> ``summary.stale.json``."""
    p = Path(name)
    return f"{p.stem}.stale{p.suffix}"


def is_stale(folder: str | Path) -> bool:
    """True when ``folder`` holds a :data:`STALE_NAME` marker."""
    return (Path(folder) / STALE_NAME).exists()


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class OutputRun:
    """One run of a command into ``folder`` (see :func:`output_run`)."""

    def __init__(self, folder: Path, results: tuple[str, ...]) -> None:
        self.folder = folder
        self.results = results
        self.started = _now()
        self.created = False

    def _current(self) -> list[Path]:
        return [self.folder / n for n in self.results if (self.folder / n).exists() or (self.folder / n).is_symlink()]

    def _stale(self) -> list[Path]:
        return [self.folder / stale_name(n) for n in self.results if (self.folder / stale_name(n)).exists()]

    def begin(self) -> None:
        self.created = not self.folder.exists()
        if self.created:
            ensure_dir(self.folder)
        elif not self.folder.is_dir():
            return  # a file in the way: the command's own writing reports it
        remove_leftovers(self.folder)
        if is_stale(self.folder):
            # the last run did not finish: result files under their usual names are its incomplete set
            for p in self._current():
                p.unlink()
        else:
            # the earlier run's results are set aside first, so no step of this run can overwrite them
            for p in self._current():
                os.replace(p, p.with_name(stale_name(p.name)))
        write_text(
            self.folder / STALE_NAME,
            f"A gaitscope run into this folder started at {self.started} and has not finished (it is still "
            "running, or it was killed). Result files here are incomplete: do not use them. Files named "
            "*.stale.* are an earlier run's results, kept until a run finishes.\n",
        )

    def fail(self, reason: str) -> None:
        if not self.folder.is_dir():
            return
        for p in self._current():  # this run's own results are an incomplete set (removing them also frees a full disk)
            p.unlink(missing_ok=True)
        stale = self._stale()
        if not stale:
            (self.folder / STALE_NAME).unlink(missing_ok=True)
            if self.created and not any(self.folder.iterdir()):
                self.folder.rmdir()
            return
        write_text(
            self.folder / STALE_NAME,
            f"The gaitscope run into this folder started at {self.started} failed: {reason}\n"
            f"The result files left here are an earlier run's, renamed so they are not mistaken for this run's: "
            f"{', '.join(p.name for p in stale)}. Fix the problem above and run again (a finished run removes them).\n",
        )

    def succeed(self) -> None:
        for p in self._stale():
            p.unlink(missing_ok=True)
        (self.folder / STALE_NAME).unlink(missing_ok=True)


@contextmanager
def output_run(folder: str | Path, *, results: tuple[str, ...] = RESULT_NAMES) -> Iterator[OutputRun]:
    """Bracket one run of a command that writes its results into ``folder``.

    On entry: the folder is created if needed, temporary files of killed runs are removed, the
    earlier run's result files are renamed ``<name>.stale.<ext>`` (an unfinished run's are
    removed) and ``STALE.txt`` is written, so a kill at any point leaves the folder marked. On
    success: the marker and the ``*.stale.*`` files are removed. On an exception (a user error,
    a full disk, Ctrl-C, SIGTERM): the result files this run wrote are removed, ``STALE.txt`` says
    why (or is removed when there is no earlier result to keep); the exception propagates unchanged.
    """
    run = OutputRun(Path(folder), results)
    run.begin()
    try:
        yield run
    except BaseException as err:
        reason = str(err) if isinstance(err, GaitscopeError) else (
            "it was interrupted" if isinstance(err, KeyboardInterrupt) else f"{type(err).__name__}: {err}")
        try:
            run.fail(reason)
        except OSError:
            pass  # a full disk can stop the marker too; the original error is the one to report
        raise
    run.succeed()
