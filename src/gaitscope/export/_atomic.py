"""Atomic file writes: write beside the target, then rename over it (no half-written file)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from gaitscope.types import GaitscopeError


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``, on error it is removed.

    The temporary name keeps the target's suffix (some writers look at it).
    """
    target = Path(target)
    if target.is_dir():
        raise GaitscopeError(f"{target}: is a folder; give --out a file name ending in {target.suffix or 'the format suffix'}")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise GaitscopeError(f"{parent}: no such folder for the export; create it or choose another --out")
    tmp = parent / f".{target.stem}.tmp-{os.getpid()}{target.suffix}"
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
